// Amino JSON of flashbackd's messages, field by field as the node's encoder
// (x/tx aminojson plus flashbackd's field encodings, app/amino_json.go)
// writes it from the protobuf bytes a client sends: the JSON a signature
// covers must be the node's to the byte. The per-field facts come from the
// generated table; x/tx's general rules are here.
import { formatGoDuration, parseGoDuration } from "./duration";
import { aminoTypes, enumNames } from "./table.generated";
import type { AminoField } from "./types";

const DURATION = "flashback/duration";
const ENUM_PREFIX = "flashback/enum:";
const DEC_PRECISION = 18;

type Obj = Record<string, any>;

function fieldsOf(type: string): AminoField[] {
  const fields = aminoTypes[type];
  if (!fields) throw new Error(`no amino table entry for ${type}`);
  return fields;
}

/** The ts-proto object of message `type` as amino JSON. */
export function toAminoJSON(type: string, value: Obj): Obj {
  const out: Obj = {};
  for (const f of fieldsOf(type)) {
    const v = value?.[f.ts];
    if (f.repeated) {
      const list: any[] = v ?? [];
      if (list.length === 0) {
        if (f.dontOmitEmpty) out[f.name] = [];
        continue;
      }
      out[f.name] = list.map((e) => encodeValue(f, e));
      continue;
    }
    if (f.kind === "message") {
      if (v === undefined || v === null) {
        if (f.dontOmitEmpty) throw new Error(`${type}.${f.name} is required`);
        continue;
      }
      out[f.name] = encodeValue(f, v);
      continue;
    }
    if (isZero(f, v)) {
      // proto3: a zero scalar is absent from the bytes, and the encoder
      // leaves it out unless dont_omitempty.
      if (f.dontOmitEmpty) out[f.name] = encodeValue(f, zeroOf(f));
      continue;
    }
    out[f.name] = encodeValue(f, v);
  }
  return out;
}

function isZero(f: AminoField, v: any): boolean {
  if (v === undefined || v === null) return true;
  switch (f.kind) {
    case "uint64":
    case "int64":
      return BigInt(v) === 0n;
    case "bytes":
      return v.length === 0;
    default:
      return v === "" || v === 0 || v === false;
  }
}

function zeroOf(f: AminoField): any {
  switch (f.kind) {
    case "uint64":
    case "int64":
      return "0";
    case "string":
      return "";
    case "bool":
      return false;
    case "bytes":
      return new Uint8Array();
    default:
      return 0;
  }
}

function encodeValue(f: AminoField, v: any): any {
  switch (f.kind) {
    case "message":
      if (f.encoding === DURATION) return formatGoDuration(v.seconds ?? 0, v.nanos ?? 0);
      if (f.type === "google.protobuf.Duration") throw new Error("durations without flashback/duration are not used");
      if (f.type === "google.protobuf.Timestamp") return formatTimestamp(v.seconds ?? 0, v.nanos ?? 0);
      return toAminoJSON(f.type!, v);
    case "enum":
      if (f.encoding?.startsWith(ENUM_PREFIX)) return enumNames[f.type!]?.[v] ?? Number(v);
      return Number(v);
    case "uint64":
    case "int64":
      return BigInt(v).toString();
    case "uint32":
    case "int32":
      return Number(v);
    case "bytes":
      return Buffer.from(v).toString("base64");
    case "string":
      if (f.scalar === "cosmos.Int") return v === "" ? "0" : v;
      if (f.scalar === "cosmos.Dec") return decFromAtomics(v);
      return v;
    default:
      return v;
  }
}

/** x/tx writes a Timestamp as RFC 3339 in UTC, with nanoseconds only when non-zero. */
function formatTimestamp(seconds: string | number, nanos: number): string {
  const iso = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "");
  if (!nanos) return `${iso}Z`;
  return `${iso}.${String(nanos).padStart(9, "0").replace(/0+$/, "")}Z`;
}

function parseTimestamp(text: string): { seconds: string; nanos: number } {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`invalid timestamp "${text}"`);
  const seconds = Math.floor(Date.parse(`${m[1]}Z`) / 1000);
  return { seconds: String(seconds), nanos: m[2] ? Number(m[2].padEnd(9, "0")) : 0 };
}

/** A LegacyDec travels in protobuf as its integer atomics (18 decimals). */
function decFromAtomics(atomics: string): string {
  if (atomics === "") return "0";
  const neg = atomics.startsWith("-");
  const digits = (neg ? atomics.slice(1) : atomics).padStart(DEC_PRECISION + 1, "0");
  const dec = `${digits.slice(0, -DEC_PRECISION)}.${digits.slice(-DEC_PRECISION)}`;
  return neg ? `-${dec}` : dec;
}

function decToAtomics(dec: string): string {
  const neg = dec.startsWith("-");
  const [whole, fraction = ""] = (neg ? dec.slice(1) : dec).split(".");
  const atomics = (BigInt(whole || "0") * 10n ** BigInt(DEC_PRECISION) + BigInt(fraction.padEnd(DEC_PRECISION, "0") || "0")).toString();
  return neg && atomics !== "0" ? `-${atomics}` : atomics;
}

/** Amino JSON of message `type` back to a ts-proto partial object. */
export function fromAminoJSON(type: string, json: Obj): Obj {
  const out: Obj = {};
  for (const f of fieldsOf(type)) {
    const v = json?.[f.name];
    if (v === undefined || v === null) continue;
    out[f.ts] = f.repeated ? (v as any[]).map((e) => decodeValue(f, e)) : decodeValue(f, v);
  }
  return out;
}

function decodeValue(f: AminoField, v: any): any {
  switch (f.kind) {
    case "message":
      if (f.encoding === DURATION) return parseGoDuration(v);
      if (f.type === "google.protobuf.Timestamp") return parseTimestamp(v);
      return fromAminoJSON(f.type!, v);
    case "enum": {
      if (typeof v === "number") return v;
      const names = enumNames[f.type!] ?? {};
      const hit = Object.entries(names).find(([, name]) => name === v);
      if (!hit) throw new Error(`${v} is not a ${f.type}`);
      return Number(hit[0]);
    }
    case "uint64":
    case "int64":
      return String(v);
    case "bytes":
      return new Uint8Array(Buffer.from(v, "base64"));
    case "string":
      if (f.scalar === "cosmos.Dec") return decToAtomics(v);
      return v;
    default:
      return v;
  }
}
