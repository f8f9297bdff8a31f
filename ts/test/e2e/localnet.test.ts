// End to end against a live localnet (scripts/ts-e2e.sh starts one and sets
// the environment): REST and gRPC-web queries, then request-deal signed and
// broadcast with CosmJS in direct and in amino-json mode.
import { Secp256k1Wallet } from "@cosmjs/amino";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { AminoTypes, createDefaultAminoConverters, GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import assert from "node:assert/strict";
import { test } from "node:test";

import { chainConstants, flashbackAminoConverters, flashbackRegistry, grpcWebRpc, listDataUnits, listDeals, restGet } from "../../src";
import { QueryClientImpl as OrchestratorQuery } from "../../src/generated/flashback/orchestrator/v1/query";
import { ApiCompatibility } from "../../src/generated/flashback/orchestrator/v1/data_unit";

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set: run scripts/ts-e2e.sh (make test-ts)`);
  return v;
};
const rpc = env("FLASHBACK_RPC");
const rest = env("FLASHBACK_REST");
const metrics = env("FLASHBACK_METRICS");
const chainId = env("FLASHBACK_CHAIN_ID");
const providerKey = Buffer.from(env("FLASHBACK_PROVIDER_KEY"), "hex");
const consumerKey = Buffer.from(env("FLASHBACK_CONSUMER_KEY"), "hex");

const sla = { maxLatencyMs: 100, minUploadKbps: "80000", minDownloadKbps: "160000", minUptimeBps: 9990, maxErrorRateBps: 10 };
const registry = flashbackRegistry();
const aminoTypes = new AminoTypes({ ...createDefaultAminoConverters(), ...flashbackAminoConverters() });
const options = { registry, aminoTypes, gasPrice: GasPrice.fromString(chainConstants.minGasPrice) };

async function send(client: SigningStargateClient, from: string, typeUrl: string, value: Record<string, unknown>) {
  const res = await client.signAndBroadcast(from, [{ typeUrl, value }], 1.5);
  assert.equal(res.code, 0, `${typeUrl}: ${res.rawLog}`);
  return res;
}

test("the node serves one OpenAPI spec with the SDK's routes, and Swagger UI from itself", async () => {
  const spec = await restGet(rest, "swagger/openapi.json");
  assert.equal(spec.info.title, "flashbackd REST API");
  assert.notEqual(spec.info.version, "source");
  for (const path of ["/flashback/orchestrator/v1/deals", "/cosmos/bank/v1beta1/balances/{address}", "/cosmos/gov/v1/proposals", "/cosmos/tx/v1beta1/txs"]) {
    assert.ok(spec.paths[path], path);
  }
  const page = await fetch(new URL("swagger/", rest));
  assert.equal(page.status, 200);
  assert.ok(!(await page.text()).includes("//"), "no outside link");
  assert.equal((await fetch(new URL("swagger/swagger-ui-bundle.js", rest))).status, 200);
});

test("queries over gRPC-web and REST", async () => {
  const q = new OrchestratorQuery(grpcWebRpc(rest));
  const { params } = await q.Params({});
  assert.equal(params?.minProviderBond?.denom, chainConstants.denom);
  const viaRest = await restGet(rest, "flashback/orchestrator/v1/params");
  assert.equal(viaRest.params.min_provider_bond.amount, params?.minProviderBond?.amount);
});

test("request-deal signed with CosmJS in direct and amino-json modes", async () => {
  const providerWallet = await DirectSecp256k1Wallet.fromKey(providerKey, chainConstants.bech32Prefix);
  const [provider] = await providerWallet.getAccounts();
  const providerClient = await SigningStargateClient.connectWithSigner(rpc, providerWallet, options);
  assert.equal(await providerClient.getChainId(), chainId);

  await send(providerClient, provider.address, "/flashback.orchestrator.v1.MsgRegisterProvider", {
    owner: provider.address, name: "Acme Storage", country: "FR", bond: { denom: chainConstants.denom, amount: "1000000000" },
  });
  await send(providerClient, provider.address, "/flashback.orchestrator.v1.MsgCreateDataUnit", {
    provider: provider.address, capacityGb: "1000", pricePerGbMonth: "20000", region: "eu-west", country: "FR",
    api: ApiCompatibility.API_COMPATIBILITY_S3, endpoint: "https://s3.acme.example/unit1", sla,
  });
  const units = await listDataUnits(rest, { api: "API_COMPATIBILITY_S3", region: "eu-west" });
  const unit = units.data_units.find((u: any) => u.provider === provider.address);
  assert.ok(unit, "the unit is on the marketplace");

  // The consumer signs amino JSON, as Keplr and a Ledger do: the node
  // verifies the signature over its own amino JSON of the message.
  const aminoWallet = await Secp256k1Wallet.fromKey(consumerKey, chainConstants.bech32Prefix);
  const [consumer] = await aminoWallet.getAccounts();
  const aminoClient = await SigningStargateClient.connectWithSigner(rpc, aminoWallet, options);
  await send(aminoClient, consumer.address, "/flashback.orchestrator.v1.MsgRegisterConsumer", { owner: consumer.address, name: "Bob" });
  const request = (term: string) => ({
    consumer: consumer.address, unitId: unit.id, capacityGb: "100", term: { seconds: term, nanos: 0 }, sla,
    deposit: { denom: chainConstants.denom, amount: "2000000" },
  });
  await send(aminoClient, consumer.address, "/flashback.orchestrator.v1.MsgRequestDeal", request("2592000"));

  // The same consumer key in direct mode.
  const directWallet = await DirectSecp256k1Wallet.fromKey(consumerKey, chainConstants.bech32Prefix);
  const directClient = await SigningStargateClient.connectWithSigner(rpc, directWallet, options);
  await send(directClient, consumer.address, "/flashback.orchestrator.v1.MsgRequestDeal", request("2592000"));

  const deals = await listDeals(rest, { consumer: consumer.address, state: "DEAL_STATE_PENDING" });
  assert.equal(deals.deals.length, 2);
  for (const d of deals.deals) assert.equal(d.term, "2592000s");

  // The marketplace metrics see both requests.
  const text = await (await fetch(metrics)).text();
  assert.match(text, /flashback_marketplace_deals\{state="pending"\} 2\b/);
});
