// The chain-registry entries and Keplr chain info are the code's values
// (walletgen writes them; its Go test keeps them in step) and fit the types
// the chain registry and Keplr publish: registry-types.generated.ts does not
// compile otherwise.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { chainConstants, chainRegistryAssetList, chainRegistryChain, keplrChainInfo } from "../../src";
import { assetList, chain, keplr } from "./registry-types.generated";

const docs = (name: string) => JSON.parse(readFileSync(join(__dirname, "../../../../docs/registry", name), "utf8"));

test("the committed registry files are the typed ones", () => {
  assert.deepEqual(docs("chain.json"), chain);
  assert.deepEqual(docs("assetlist.json"), assetList);
  assert.deepEqual(docs("keplr-chaininfo.json"), keplr);
  assert.deepEqual(chainRegistryChain, chain);
  assert.deepEqual(chainRegistryAssetList, assetList);
  assert.deepEqual(keplrChainInfo, keplr);
});

test("registry entries agree with each other", () => {
  assert.equal(chain.chain_name, assetList.chain_name);
  assert.equal(chain.chain_id, keplr.chainId);
  assert.equal(chain.bech32_prefix, keplr.bech32Config!.bech32PrefixAccAddr);
  assert.equal(chain.slip44, keplr.bip44.coinType);
  const base = assetList.assets[0];
  assert.equal(base.base, chain.fees!.fee_tokens[0].denom);
  assert.equal(base.base, chain.staking!.staking_tokens[0].denom);
  assert.equal(base.denom_units.find((u) => u.denom === base.display)!.exponent, keplr.stakeCurrency!.coinDecimals);
  assert.equal(`${chain.fees!.fee_tokens[0].fixed_min_gas_price}${base.base}`, chainConstants.minGasPrice);
});
