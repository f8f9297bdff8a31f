// A gRPC-web transport for the generated query clients
// (`new QueryClientImpl(grpcWebRpc(url))`): the node's API server answers
// gRPC-web on the REST port (app.toml [grpc-web] enable, with gRPC on).
// Unary calls only, which is all the queries are; fetch is Node's (18+) or
// the browser's.

/** The transport interface ts-proto's generated clients use. */
export interface Rpc {
  request(service: string, method: string, data: Uint8Array): Promise<Uint8Array>;
}

export function grpcWebRpc(baseUrl: string, init: { headers?: Record<string, string> } = {}): Rpc {
  const base = baseUrl.replace(/\/$/, "");
  return {
    async request(service: string, method: string, data: Uint8Array): Promise<Uint8Array> {
      const body = new Uint8Array(5 + data.length);
      new DataView(body.buffer).setUint32(1, data.length);
      body.set(data, 5);
      const res = await fetch(`${base}/${service}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...init.headers },
        body,
      });
      if (!res.ok) throw new Error(`gRPC-web ${service}/${method}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      let message: Uint8Array | undefined;
      let status = res.headers.get("grpc-status");
      let statusMessage = res.headers.get("grpc-message");
      for (let i = 0; i + 5 <= bytes.length; ) {
        const flag = bytes[i];
        const len = new DataView(bytes.buffer, bytes.byteOffset + i + 1, 4).getUint32(0);
        const frame = bytes.subarray(i + 5, i + 5 + len);
        if (flag & 0x80) {
          // Trailers: "grpc-status: 0\r\ngrpc-message: …"
          for (const line of new TextDecoder().decode(frame).split("\r\n")) {
            const [k, ...v] = line.split(":");
            if (k.trim().toLowerCase() === "grpc-status") status = v.join(":").trim();
            if (k.trim().toLowerCase() === "grpc-message") statusMessage = decodeURIComponent(v.join(":").trim());
          }
        } else {
          message = frame;
        }
        i += 5 + len;
      }
      if (status !== null && status !== "0") throw new Error(`gRPC-web ${service}/${method}: status ${status}: ${statusMessage ?? ""}`);
      if (!message) throw new Error(`gRPC-web ${service}/${method}: no message in the response`);
      return message;
    },
  };
}
