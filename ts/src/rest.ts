// Small REST helpers over the node's grpc-gateway routes
// (/flashback/<module>/v1/…; the OpenAPI spec is served at /swagger/).

export async function restGet<T = any>(baseUrl: string, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
  const url = new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) url.searchParams.set(k, String(v));
  }
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(`GET ${url.pathname}${url.search}: HTTP ${res.status}: ${body?.message ?? JSON.stringify(body)}`);
  return body as T;
}

/** The marketplace: data units by region, API (e.g. "API_COMPATIBILITY_S3"), state and price. */
export function listDataUnits(baseUrl: string, filter: { region?: string; country?: string; api?: string; state?: string; max_price?: string; min_free_gb?: number; certified_only?: boolean } = {}) {
  return restGet(baseUrl, "flashback/orchestrator/v1/data_units", filter);
}

/** Deals by consumer, provider or unit, and/or state (e.g. "DEAL_STATE_ACTIVE"). */
export function listDeals(baseUrl: string, filter: { consumer?: string; provider?: string; unit_id?: string; state?: string } = {}) {
  return restGet(baseUrl, "flashback/orchestrator/v1/deals", filter);
}
