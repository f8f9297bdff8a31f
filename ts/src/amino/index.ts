import type { AminoConverters } from "@cosmjs/stargate";

import { fromAminoJSON, toAminoJSON } from "./convert";
import { aminoMessages } from "./table.generated";

export { formatGoDuration, parseGoDuration } from "./duration";
export { fromAminoJSON, toAminoJSON } from "./convert";
export { aminoMessages } from "./table.generated";

/**
 * CosmJS amino converters for every flashbackd message: pass them to
 * `new AminoTypes({...createDefaultAminoConverters(), ...flashbackAminoConverters()})`
 * to sign with Keplr's or a Ledger's amino JSON (SIGN_MODE_LEGACY_AMINO_JSON).
 */
export function flashbackAminoConverters(): AminoConverters {
  const converters: AminoConverters = {};
  for (const [typeUrl, aminoType] of Object.entries(aminoMessages)) {
    const type = typeUrl.slice(1);
    converters[typeUrl] = {
      aminoType,
      toAmino: (value: any) => toAminoJSON(type, value),
      fromAmino: (json: any) => fromAminoJSON(type, json),
    };
  }
  return converters;
}
