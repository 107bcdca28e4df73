import { createWalletClient, http, numberToHex, type Chain, type EIP1193Provider, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The mnemonic every Hardhat and Anvil node funds its test accounts from (public: never use it elsewhere). */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** Test accounts offered on chain 31337. */
export const DEV_ACCOUNT_COUNT = 10;

type RpcTx = { to?: Hex; data?: Hex; value?: Hex; gas?: Hex };

/**
 * An EIP-1193 provider for one of the local node's well-known test accounts (chain 31337 only):
 * it signs in the page with viem's local account and forwards everything else to the RPC, so the
 * page works with a bare local node and no wallet extension. The keys are public; this is for
 * development only, and the page labels it so.
 */
export function createLocalDevProvider(p: { chain: Chain; rpcUrl: string; index: number }): EIP1193Provider {
  if (p.chain.id !== 31337) throw new Error("Test accounts are offered on the local chain (31337) only.");
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: p.index });
  const wallet = createWalletClient({ account, chain: p.chain, transport: http(p.rpcUrl) });
  let nextId = 1;
  // Like a wallet, the account is exposed only after the person connects it (eth_requestAccounts),
  // so wagmi does not auto-connect a test account on first load; the choice survives a reload.
  const storageKey = `ingotforge.devAccount.${p.index}.authorized`;
  const storage = typeof localStorage === "undefined" ? undefined : localStorage;
  let authorized = storage?.getItem(storageKey) === "1";
  const authorize = (value: boolean) => {
    authorized = value;
    if (value) storage?.setItem(storageKey, "1");
    else storage?.removeItem(storageKey);
  };
  const forward = async (method: string, params: unknown) => {
    const res = await fetch(p.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params: params ?? [] }) });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
    if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
    return body.result;
  };
  const request = async ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    const args = (params ?? []) as unknown[];
    switch (method) {
      case "eth_accounts":
        return authorized ? [account.address] : [];
      case "eth_requestAccounts":
        authorize(true);
        return [account.address];
      case "eth_chainId":
        return numberToHex(p.chain.id);
      case "wallet_requestPermissions":
        authorize(true);
        return [{ parentCapability: "eth_accounts" }];
      case "wallet_getPermissions":
        return authorized ? [{ parentCapability: "eth_accounts" }] : [];
      case "wallet_revokePermissions":
        authorize(false);
        return null;
      case "wallet_switchEthereumChain":
        if (BigInt((args[0] as { chainId: Hex }).chainId) !== BigInt(p.chain.id)) throw Object.assign(new Error("Test accounts live on chain 31337 only."), { code: 4902 });
        return null;
      case "eth_sendTransaction": {
        const tx = args[0] as RpcTx;
        return wallet.sendTransaction({
          to: tx.to,
          data: tx.data,
          value: tx.value ? BigInt(tx.value) : undefined,
          gas: tx.gas ? BigInt(tx.gas) : undefined,
        } as never);
      }
      case "personal_sign":
        return account.signMessage({ message: { raw: args[0] as Hex } });
      case "eth_signTypedData_v4":
        return account.signTypedData(JSON.parse(args[1] as string));
      default:
        return forward(method, params);
    }
  };
  return { request, on: () => undefined, removeListener: () => undefined } as unknown as EIP1193Provider;
}
