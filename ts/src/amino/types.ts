/** One field of a message, as the node's amino JSON encoder sees it. */
export interface AminoField {
  /** Field name in amino JSON (the proto name unless amino.field_name). */
  name: string;
  /** Property of the ts-proto object. */
  ts: string;
  kind: "string" | "bool" | "bytes" | "uint64" | "int64" | "uint32" | "int32" | "enum" | "message" | "double" | "float";
  /** Message or enum full name. */
  type?: string;
  repeated?: boolean;
  /** amino.dont_omitempty: written even when empty. */
  dontOmitEmpty?: boolean;
  /** amino.encoding: flashbackd's "flashback/duration", "flashback/enum:<Enum>". */
  encoding?: string;
  /** cosmos_proto.scalar the encoder formats: "cosmos.Int" or "cosmos.Dec" (LegacyDec). */
  scalar?: "cosmos.Int" | "cosmos.Dec";
}

export type AminoTypeTable = Record<string, AminoField[]>;
export type AminoMessageTable = Record<string, string>;
