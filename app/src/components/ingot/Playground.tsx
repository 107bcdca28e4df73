import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useConfig, useConnection, usePublicClient } from "wagmi";
import { signMessage } from "wagmi/actions";
import type { Address } from "viem";
import { gatewayDepositsAbi } from "../../../../gateway/src/chain/gatewayDepositsAbi.js";
import { readProofKeyRegistration } from "../../../../gateway/src/attestation/readProofKeyRegistration.js";
import { useAppConfig } from "../../config/AppConfigContext.js";
import { useTxFlow } from "../../chain/useTxFlow.js";
import { FlowStatus } from "../FlowStatus.js";
import { parseAmount, AmountInputError } from "../../format/parseAmount.js";
import { formatAmount } from "../../format/formatAmount.js";
import { shortAddress } from "../../format/shortAddress.js";
import { errorToWords } from "../../format/errorToWords.js";
import { callGateway } from "../../playground/callGateway.js";
import { playgroundKeyMessage } from "../../playground/playgroundKeyMessage.js";
import { verifyAnswerProof, type AnswerProofVerdict, type ProofKeySource } from "../../proof/verifyAnswerProof.js";

interface Exchange {
  question: string;
  answer: string;
  proofId: string;
  chainHash: string;
  charged: string;
  verdict: AnswerProofVerdict;
}

/**
 * Chat with a LIVE Ingot through the inference gateway: deposit into GatewayDeposits, sign for an
 * API key, ask; each answer's proof is verified here in the browser (chain hash, Ed25519
 * signatures, request/response hashes, the key's fingerprint) against the proof key registered on
 * chain in ProofKeyRegistry, or else the gateway's attested key, labelled.
 */
export function Playground({ ingotId }: { ingotId: bigint }) {
  const { gatewayUrl, gatewayKeyUrl, addresses } = useAppConfig();
  const config = useConfig();
  const client = usePublicClient();
  const connection = useConnection();
  const account = connection.status === "connected" ? (connection.address as Address) : undefined;
  const deposit = useTxFlow(account);
  const keyFlow = useTxFlow(account);
  const [depositText, setDepositText] = useState("0.01");
  const [keys, setKeys] = useState<Record<string, string>>({});
  const apiKey = account ? keys[account.toLowerCase()] : undefined;
  const [message, setMessage] = useState("Is this sound? let x = unsafe { *p };");
  const [maxTokens, setMaxTokens] = useState(16);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const credit = useQuery({
    queryKey: ["gateway-credit", apiKey],
    enabled: Boolean(gatewayUrl && apiKey),
    refetchInterval: 2000,
    queryFn: () => callGateway<{ available: string; reserved: string; unsettled: string }>(`${gatewayUrl}/v1/credit`, { apiKey: apiKey! }),
  });

  if (!gatewayUrl || !addresses.gatewayDeposits) {
    return <p>No inference gateway is configured for this deployment (config.json has no gatewayUrl or GatewayDeposits address).</p>;
  }
  const depositsAddress = addresses.gatewayDeposits;
  let depositAmount: bigint | undefined;
  let depositProblem = "";
  try {
    depositAmount = depositText.trim() ? parseAmount(depositText) : undefined;
  } catch (e) {
    depositProblem = e instanceof AmountInputError ? e.message : String(e);
  }
  const available = credit.data ? BigInt(credit.data.available) : undefined;

  const send = async () => {
    if (!apiKey) return;
    setBusy(true);
    setProblem("");
    try {
      const request = { model: `ingot-${ingotId}`, messages: [{ role: "user", content: message }], max_tokens: maxTokens, temperature: 0 };
      const completion = await callGateway<Record<string, unknown> & { proof: { proof_id: string; hashes: { chain: string }; payment: { amount: string }; signature?: { public_key: string } }; choices: { message: { content: string } }[] }>(`${gatewayUrl}/v1/chat/completions`, { apiKey, body: request });
      const { proof, ...response } = completion;
      const signedWith = proof.signature?.public_key ?? "";
      let trustedKey: string | undefined;
      let keySource: ProofKeySource = { kind: "none" };
      if (addresses.proofKeyRegistry && client) {
        const reg = await readProofKeyRegistration({ publicClient: client, registry: addresses.proofKeyRegistry, publicKey: signedWith });
        keySource = { kind: "registry", registry: addresses.proofKeyRegistry, valid: reg.valid, simulated: reg.simulated };
        trustedKey = signedWith;
      } else {
        const att = await callGateway<{ kind: string; public_key?: string }>(`${gatewayUrl}/v1/attestation`);
        keySource = { kind: "attestation", attestationKind: att.kind, simulated: att.kind === "simulated" };
        trustedKey = att.public_key;
      }
      const verdict = verifyAnswerProof({ proof, request, response, apiKey, keySource, ...(trustedKey ? { trustedKey } : {}) });
      setExchanges((xs) => [{ question: message, answer: completion.choices[0]?.message.content ?? "", proofId: proof.proof_id, chainHash: proof.hashes.chain, charged: proof.payment.amount, verdict }, ...xs]);
      void credit.refetch();
    } catch (error) {
      setProblem(errorToWords(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="playground">
      <p className="hint">Paid per token (prompt and answer) from your deposit in GatewayDeposits {shortAddress(depositsAddress)}; the gateway settles what you spend into the Ingot's RevenueSplitter. Each answer carries a signed proof, checked here in your browser. On the local stack the Ingot is the tiny demo model trained in minutes: its answers are not fluent.</p>
      {!account ? <p>Connect a wallet to deposit and chat.</p> : (
        <>
          <form aria-label="Gateway deposit" onSubmit={(e) => { e.preventDefault(); if (depositAmount === undefined) return; const v = depositAmount; void deposit.run("Deposited", async (f) => { await f.tx("Depositing", { address: depositsAddress, abi: gatewayDepositsAbi, functionName: "deposit", args: [account], value: v }); void credit.refetch(); }); }}>
            <label>Deposit (ETH)<input type="text" inputMode="decimal" value={depositText} onChange={(e) => setDepositText(e.target.value)} /></label>
            {depositProblem ? <p role="alert">{depositProblem}</p> : null}
            <button type="submit" disabled={depositAmount === undefined}>Deposit into the gateway</button>
          </form>
          <FlowStatus state={deposit.state} name="Gateway deposit" />
          {apiKey ? (
            <p aria-label="Gateway credit">API key ready (kept in this page only). Credit: {available === undefined ? "…" : available > 0n ? formatAmount(available, { symbol: "ETH", maxFractionDigits: 8 }) : "none yet (the gateway sees a deposit within a few seconds)"}</p>
          ) : (
            <>
              <button
                type="button"
                disabled={!gatewayKeyUrl}
                onClick={() => void keyFlow.run("API key issued", async (f) => {
                  const issuedAt = Date.now();
                  const signature = await f.step("Sign the key request in your wallet", () => signMessage(config, { account, message: playgroundKeyMessage(account, issuedAt) }));
                  const issued = await f.step("Asking the gateway for a key", () => callGateway<{ apiKey: string }>(gatewayKeyUrl!, { body: { payer: account, issuedAt, signature } }));
                  setKeys((k) => ({ ...k, [account.toLowerCase()]: issued.apiKey }));
                })}
              >
                Get an API key
              </button>
              {!gatewayKeyUrl ? <p className="hint">This deployment issues keys out of band (config.json has no gatewayKeyUrl).</p> : null}
              <FlowStatus state={keyFlow.state} name="API key" />
            </>
          )}
          <form aria-label="Chat" onSubmit={(e) => { e.preventDefault(); void send(); }}>
            <label>Message<textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} /></label>
            <label>Max tokens<input type="number" min={1} max={48} value={maxTokens} onChange={(e) => setMaxTokens(Math.max(1, Math.min(48, Number(e.target.value) || 1)))} /></label>
            <button type="submit" disabled={!apiKey || busy || !message.trim() || !available || available <= 0n}>{busy ? "Generating…" : "Send"}</button>
          </form>
          {busy ? <p role="status">Generating the answer (llama.cpp on the gateway)…</p> : null}
          {problem ? <p role="alert" className="banner banner-error">{problem}</p> : null}
        </>
      )}
      <ol className="plain" aria-label="Answers">
        {exchanges.map((x) => (
          <li key={x.proofId} className="exchange">
            <p><strong>You:</strong> {x.question}</p>
            <p><strong>Ingot #{String(ingotId)}:</strong> <span className="answer">{x.answer || "(empty answer)"}</span></p>
            <ProofPanel x={x} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function ProofPanel({ x }: { x: Exchange }) {
  const v = x.verdict;
  const source = v.keySource;
  return (
    <details className="proof" open>
      <summary>
        <span role="status" aria-label={`Proof ${x.proofId}`} className={v.valid ? "badge badge-live" : "badge badge-failed"}>{v.valid ? "✓ Proof verified in your browser" : "✗ Proof NOT verified"}</span> · charged {formatAmount(BigInt(x.charged), { symbol: "ETH", maxFractionDigits: 8 })}
      </summary>
      <dl className="facts">
        <div><dt>Proof</dt><dd><code>{x.proofId}</code></dd></div>
        <div><dt>Chain hash</dt><dd><code title={x.chainHash}>{shortAddress(x.chainHash, 16, 8)}</code></dd></div>
        <div><dt>Signing key</dt><dd>{v.pinnedKey ? <code title={v.pinnedKey}>{shortAddress(`0x${v.pinnedKey}`, 10, 6)}</code> : "—"}{" "}
          {source.kind === "registry" ? `${source.valid ? "registered and valid" : "NOT valid"} on chain in ProofKeyRegistry ${shortAddress(source.registry)}${source.simulated ? " (through the SIMULATED quote verifier: it vouches for no hardware)" : ""}`
            : source.kind === "attestation" ? `from the gateway's own attestation (${source.attestationKind}${source.simulated ? ": SIMULATED, vouches for nothing" : ""}); not checked on chain`
            : "no trusted key: the signature only shows the key written in the proof signed it"}</dd></div>
      </dl>
      <ul className="plain" aria-label="Proof checks">
        {Object.entries(v.checks).map(([name, c]) => (
          <li key={name}>{c.status === "pass" ? "✓" : c.status === "fail" ? "✗" : "–"} {name.replace(/_/g, " ")}: {c.detail}</li>
        ))}
        {v.errors.filter((e) => e.startsWith("registry:")).map((e) => <li key={e}>✗ {e}</li>)}
      </ul>
    </details>
  );
}
