import { GeneratedType, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";

import { aminoMessages } from "./amino/table.generated";
import * as oracleTx from "./generated/flashback/oracle/v1/tx";
import * as orchestratorTx from "./generated/flashback/orchestrator/v1/tx";
import * as reputationTx from "./generated/flashback/reputation/v1/tx";

const txModules: Record<string, Record<string, unknown>> = {
  "flashback.orchestrator.v1": orchestratorTx,
  "flashback.reputation.v1": reputationTx,
  "flashback.oracle.v1": oracleTx,
};

/** Every flashbackd message a user or governance signs, by type URL. */
export const flashbackRegistryTypes: ReadonlyArray<[string, GeneratedType]> = Object.keys(aminoMessages).map((typeUrl) => {
  const full = typeUrl.slice(1);
  const pkg = full.slice(0, full.lastIndexOf("."));
  const name = full.slice(full.lastIndexOf(".") + 1);
  const type = txModules[pkg]?.[name] as GeneratedType | undefined;
  if (!type) throw new Error(`no generated type for ${typeUrl}`);
  return [typeUrl, type];
});

/** A CosmJS registry with the SDK's default messages and flashbackd's. */
export function flashbackRegistry(): Registry {
  return new Registry([...defaultRegistryTypes, ...flashbackRegistryTypes]);
}
