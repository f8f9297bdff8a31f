// @flashbacknetwork/flashbackd-client: everything a wallet or frontend needs
// to talk to flashbackd. Generated protobuf types are under ./generated
// (import them directly, e.g. "@flashbacknetwork/flashbackd-client/dist/src/generated/flashback/orchestrator/v1/tx").
export { flashbackAminoConverters, toAminoJSON, fromAminoJSON, aminoMessages, formatGoDuration, parseGoDuration } from "./amino";
export { flashbackRegistry, flashbackRegistryTypes } from "./registry";
export { grpcWebRpc } from "./grpcweb";
export type { Rpc } from "./grpcweb";
export { restGet, listDataUnits, listDeals } from "./rest";
export { chainConstants, keplrChainInfo, chainRegistryChain, chainRegistryAssetList } from "./chain.generated";

export * as orchestrator from "./generated/flashback/orchestrator/v1/tx";
export * as orchestratorQuery from "./generated/flashback/orchestrator/v1/query";
export * as reputation from "./generated/flashback/reputation/v1/tx";
export * as reputationQuery from "./generated/flashback/reputation/v1/query";
export * as oracle from "./generated/flashback/oracle/v1/tx";
export * as oracleQuery from "./generated/flashback/oracle/v1/query";
