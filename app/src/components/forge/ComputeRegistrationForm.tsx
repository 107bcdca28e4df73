import { useEffect, useMemo, useState } from "react";
import { useConfig, usePublicClient } from "wagmi";
import { signTypedData } from "wagmi/actions";
import { ed25519 } from "@noble/curves/ed25519";
import { bytesToHex, hashTypedData, hexToBytes, isAddress, isAddressEqual, isHex, type Address, type Hex } from "viem";
import { forgeAbi } from "../../abi/protocolAbis.generated.js";
import type { ForgeView } from "../../chain/useForge.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { useAppConfig } from "../../config/AppConfigContext.js";
import { computeBondOf } from "../../contribute/dataBondOf.js";
import { createComputeKeyFile, type ComputeKeyFile } from "../../contribute/createComputeKeyFile.js";
import { computeRegistrationTypedData } from "../../../../coordinator/src/chain/computeRegistrationTypedData.js";
import { formatAmount } from "../../format/formatAmount.js";
import { FlowStatus } from "../FlowStatus.js";
import { COMPUTE_TAKES_PROOFS as registerComputeTakesProofs } from "../../abi/protocolShape.js";

/**
 * Compute: register a worker's signer and Ed25519 key. The page can make the key itself
 * ("Generate a worker key in this browser"): the key is saved by the person in the CLI's key-file
 * format (`createComputeKeyFile`, what `npm run worker -- --key` reads), signs the Forge's EIP-712
 * registration digest in the browser, and the wallet signs the same typed data as the signer; the
 * key never leaves the page except in that file. A key made elsewhere (the worker CLI) can be
 * pasted with its proof instead. The compute bond (`computeBondOf`) goes as value.
 */
export function ComputeRegistrationForm({ forge, view, account }: { forge: Address; view: ForgeView; account: Address | undefined }) {
  const { chainId } = useAppConfig();
  const config = useConfig();
  const [signer, setSigner] = useState("");
  const [pastedKey, setPastedKey] = useState("");
  const [browserKey, setBrowserKey] = useState<ComputeKeyFile | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  const [capacity, setCapacity] = useState("1");
  const [signerProof, setSignerProof] = useState("");
  const [keyProof, setKeyProof] = useState("");
  const flow = useTxFlow(account);
  const client = usePublicClient();
  // The signer defaults to the connected account (the wallet then signs its proof).
  useEffect(() => {
    if (account && signer === "") setSigner(account);
  }, [account, signer]);
  const key = browserKey?.publicKey ?? pastedKey;
  const keyOk = isHex(key) && key.length === 66;
  // What both proofs sign: the Forge's EIP-712 digest of (worker = this account, signer, key).
  const [digest, setDigest] = useState<Hex | undefined>(undefined);
  useEffect(() => {
    setDigest(undefined);
    if (!registerComputeTakesProofs || !client || account === undefined || !isAddress(signer) || !keyOk) return;
    let live = true;
    client
      .readContract({ address: forge, abi: forgeAbi, functionName: "hashComputeRegistration" as never, args: [account, signer, key] as never })
      .then((d) => { if (live) setDigest(d as Hex); })
      .catch(() => undefined);
    return () => { live = false; };
  }, [client, forge, account, signer, key, keyOk]);
  // The saved file as a link the browser downloads (revoked when the key changes).
  const download = useMemo(() => (browserKey ? URL.createObjectURL(new Blob([browserKey.text], { type: "application/json" })) : undefined), [browserKey]);
  useEffect(() => () => { if (download) URL.revokeObjectURL(download); }, [download]);

  const walletSigns = account !== undefined && isAddress(signer) && isAddressEqual(signer, account) && signerProof === "";
  const bond = computeBondOf(view.config);
  const problems = [
    signer && !isAddress(signer) ? "The signer must be an 0x address." : "",
    !browserKey && pastedKey && !keyOk ? "The Ed25519 public key must be 0x and 64 hex digits." : "",
    capacity && !/^[1-9]\d{0,8}$/.test(capacity) ? "Capacity is a whole number of at least 1." : "",
    registerComputeTakesProofs && signerProof && !isHex(signerProof) ? "The signer's proof is a 0x hex signature." : "",
    registerComputeTakesProofs && !browserKey && keyProof && !(isHex(keyProof) && keyProof.length === 130) ? "The Ed25519 proof is 0x and 128 hex digits." : "",
    registerComputeTakesProofs && account && isAddress(signer) && !isAddressEqual(signer, account) && !signerProof ? "A signer other than your account must sign the registration: paste its EIP-712 signature." : "",
  ].filter(Boolean);
  const proofsReady = !registerComputeTakesProofs || (browserKey ? digest !== undefined : keyProof !== "");
  const ready = account !== undefined && isAddress(signer) && keyOk && problems.length === 0 && proofsReady && (!browserKey || saved);
  const keyFileCommand = browserKey ? `npm run worker -- --forge ${forge} --key ${browserKey.fileName} --queue <queue dir> --store <store dir> --base <base model .gguf>` : "";

  return (
    <form
      className="sub-card"
      aria-labelledby="compute-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready || !account) return;
        void flow.run("Worker registered", async (f) => {
          let args: readonly unknown[] = [signer, key, Number(capacity)];
          if (registerComputeTakesProofs) {
            const typed = computeRegistrationTypedData(chainId, forge, { worker: account, signer: signer as Address, ed25519PublicKey: key as Hex });
            const onChain = digest ?? ((await client!.readContract({ address: forge, abi: forgeAbi, functionName: "hashComputeRegistration" as never, args: [account, signer, key] as never })) as Hex);
            if (hashTypedData(typed) !== onChain) throw new Error(`The Forge's registration digest ${onChain} is not the page's ${hashTypedData(typed)}: the page is configured for another chain or Forge. Reload with the right config.json.`);
            const edProof = browserKey
              ? await f.step("Signing the registration with the worker key (in this browser)", async () => bytesToHex(ed25519.sign(hexToBytes(onChain), hexToBytes(browserKey.privateKey))))
              : (keyProof as Hex);
            const evmProof = walletSigns
              ? await f.step("Sign the registration in your wallet (EIP-712 ComputeRegistration)", () => signTypedData(config, { account, ...typed }))
              : ((signerProof || "0x") as Hex);
            args = [signer, key, Number(capacity), evmProof, edProof];
          }
          await f.tx("Registering the worker", { address: forge, abi: forgeAbi, functionName: "registerCompute", args: args as never, ...(bond > 0n ? { value: bond } : {}) });
        });
      }}
    >
      <h3 id="compute-title">Compute</h3>
      <p className="hint">Register a worker: its Ed25519 key signs the results of the jobs it trains; its signer (your account by default) vouches for it.</p>
      <div className="key-desk" role="group" aria-label="Worker key">
        {browserKey ? (
          <>
            <p className="hint">
              A new worker key was made in this browser. Save its key file: only it lets your worker sign; the page keeps the key in memory
              only and sends nothing but its public key and signatures.
            </p>
            <a className="button-link" href={download} download={browserKey.fileName} onClick={() => setSaved(true)}>
              Save key file ({browserKey.fileName})
            </a>
            {saved ? <p className="hint break" aria-label="Worker command">Saved. Run your worker with it: <code>{keyFileCommand}</code> (the local stack prints its queue, store and model paths).</p> : <p className="hint">Register opens once the key file is saved.</p>}
            <button type="button" onClick={() => { setBrowserKey(undefined); setSaved(false); }}>Use a key from the worker CLI instead</button>
          </>
        ) : (
          <button type="button" disabled={account === undefined} onClick={() => { setBrowserKey(createComputeKeyFile(account!)); setSaved(false); }}>
            Generate a worker key in this browser
          </button>
        )}
      </div>
      <label>
        Worker Ed25519 public key
        <input type="text" value={key} readOnly={browserKey !== undefined} onChange={(e) => setPastedKey(e.target.value.trim())} placeholder="0x… (64 hex digits), or generate one above" />
      </label>
      <label>Worker signer address<input type="text" value={signer} onChange={(e) => setSigner(e.target.value.trim())} placeholder="0x… (your account)" /></label>
      <label>Capacity (parallel jobs)<input type="number" min={1} value={capacity} onChange={(e) => setCapacity(e.target.value)} /></label>
      {registerComputeTakesProofs ? (
        <>
          <p className="hint">
            Both proofs sign this registration digest (EIP-712 ComputeRegistration, this Forge, chain and account):{" "}
            <code aria-label="Registration digest" className="break">{digest ?? "fill in the signer and key"}</code>.{" "}
            {browserKey ? "The worker key signs it in this browser" : "Sign it with the worker's Ed25519 key (`npm run cli -- forge register-compute` makes both proofs)"}
            {walletSigns ? "; your wallet signs it as the signer when you register." : "."}
          </p>
          {browserKey ? null : <label>Ed25519 proof of possession (signature)<input type="text" value={keyProof} onChange={(e) => setKeyProof(e.target.value.trim())} placeholder="0x… (128 hex digits)" /></label>}
          <details>
            <summary>A signer other than your account</summary>
            <label>Signer's proof of possession (EIP-712 signature; empty: your wallet signs)<input type="text" value={signerProof} onChange={(e) => setSignerProof(e.target.value.trim())} placeholder="0x…" /></label>
          </details>
        </>
      ) : null}
      {problems.length ? <ul role="alert" aria-label="Worker form problems">{problems.map((p) => <li key={p}>{p}</li>)}</ul> : null}
      <p className="fees" aria-label="Compute bond and fees">Bond: {bond > 0n ? formatAmount(bond) : "none on this Forge"} · Fees: gas only</p>
      <button type="submit" disabled={!ready}>Register worker</button>
      <FlowStatus state={flow.state} name="Worker registration" />
    </form>
  );
}
