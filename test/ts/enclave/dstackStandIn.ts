import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bytesToHex, concatBytes, hexToBytes, keccak256, toBytes, type Hex } from "viem";

/**
 * A stand-in for dstack's guest agent, speaking the HTTP-JSON protocol that @phala/dstack-sdk
 * 0.5.8 sends (POST /GetKey, /GetQuote, /Info; hex without 0x; `tcb_info` as a JSON string), over
 * a unix socket or on 127.0.0.1. Keys are HMAC-SHA256(app secret, path ‖ purpose), so the same
 * app secret gives the same keys across restarts, as dstack's KMS-derived keys do. Quotes have
 * the real TDX v4 layout (header, TD10 body, an empty signature section) with fixed registers.
 *
 * Modes: "honest" quotes the report data it was given; "wrong-report-data" quotes other report
 * data (keccak of the requested bytes), to test that registration is refused.
 */
export interface DstackStandInOptions {
  /** Listen on this unix socket path; otherwise on 127.0.0.1 and a free port. */
  socketPath?: string;
  appSecret?: string;
  mode?: "honest" | "wrong-report-data";
  /** Report TUD.DEBUG in quotes. */
  debug?: boolean;
  /** Distinct registers per build; default fixed. */
  registerSeed?: string;
}

export interface DstackStandIn {
  /** What DstackClient takes: the socket path, or http://127.0.0.1:port. */
  endpoint: string;
  requests: Array<{ path: string; body: Record<string, unknown> }>;
  mrTd: Hex;
  rtmr: readonly [Hex, Hex, Hex, Hex];
  setMode(mode: "honest" | "wrong-report-data"): void;
  close(): Promise<void>;
}

export async function startDstackStandIn(options: DstackStandInOptions = {}): Promise<DstackStandIn> {
  const appSecret = options.appSecret ?? "stand-in app secret";
  let mode = options.mode ?? "honest";
  const seed = options.registerSeed ?? "ingotforge dstack stand-in";
  const register = (name: string) => hexToBytes(keccak256(toBytes(`${seed}/${name}`))).subarray(0, 32);
  const mr = (name: string) => concatBytes([register(name), register(`${name}/tail`).subarray(0, 16)]); // 48 bytes
  const mrTd = mr("mrtd");
  const rtmr = [mr("rtmr0"), mr("rtmr1"), mr("rtmr2"), mr("rtmr3")] as const;
  const requests: DstackStandIn["requests"] = [];

  const quoteFor = (reportData: Uint8Array): Uint8Array => {
    const header = new Uint8Array(48);
    const hv = new DataView(header.buffer);
    hv.setUint16(0, 4, true); // version 4
    hv.setUint16(2, 2, true); // ECDSA-256-with-P-256
    hv.setUint32(4, 0x81, true); // TDX
    const body = new Uint8Array(584).fill(0xee);
    body.set(new Uint8Array(8), 120); // TDATTRIBUTES
    if (options.debug) body[120] = 1;
    body.set(mrTd, 136);
    rtmr.forEach((r, i) => body.set(r, 328 + i * 48));
    const data = new Uint8Array(64);
    data.set(reportData.subarray(0, 64));
    const other = new Uint8Array(64);
    other.set(hexToBytes(keccak256(data)));
    body.set(mode === "honest" ? data : other, 520);
    const signatureSection = new Uint8Array(4); // sig data length 0: enough for parsers of the body
    return concatBytes([header, body, signatureSection]);
  };

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    "/GetKey": (body) => {
      const key = createHmac("sha256", appSecret).update(`${String(body.path)}\u0000${String(body.purpose)}`).digest();
      return { key: key.toString("hex"), signature_chain: [createHmac("sha256", "kms").update(key).digest("hex")] };
    },
    "/GetQuote": (body) => {
      const hex = String(body.report_data ?? "");
      if (!/^([0-9a-f]{2}){0,64}$/i.test(hex)) return { error: "report_data must be at most 64 bytes of hex" };
      const quote = quoteFor(Buffer.from(hex, "hex"));
      return { quote: Buffer.from(quote).toString("hex"), event_log: "[]", report_data: hex.padEnd(128, "0") };
    },
    "/Info": () => ({
      app_id: "ea1f0b7bca05a4b04f6e1bd40c6b6d1d2b3c4d5e",
      instance_id: "5f4e3d2c1b0a99887766554433221100ffeeddcc",
      app_cert: "",
      app_name: "ingotforge-coordinator",
      device_id: "00",
      key_provider_info: "{}",
      compose_hash: "a".repeat(64),
      tcb_info: JSON.stringify({
        mrtd: bytesToHex(mrTd).slice(2),
        rtmr0: bytesToHex(rtmr[0]).slice(2),
        rtmr1: bytesToHex(rtmr[1]).slice(2),
        rtmr2: bytesToHex(rtmr[2]).slice(2),
        rtmr3: bytesToHex(rtmr[3]).slice(2),
        app_compose: "{}",
        event_log: [],
      }),
    }),
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      let body: Record<string, unknown> = {};
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
      } catch {
        return send(res, 400, { error: "invalid JSON" });
      }
      requests.push({ path, body });
      const handler = req.method === "POST" ? handlers[path] : undefined;
      if (!handler) return send(res, 404, { error: `no such method ${path}` });
      send(res, 200, handler(body));
    });
  });
  if (options.socketPath) server.listen(options.socketPath);
  else server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const endpoint = options.socketPath ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    requests,
    mrTd: bytesToHex(mrTd),
    rtmr: rtmr.map((r) => bytesToHex(r)) as unknown as readonly [Hex, Hex, Hex, Hex],
    setMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  // The SDK's unix-socket client reads exactly Content-Length bytes and waits for the server to
  // close: no chunked encoding, and the connection closes after each answer.
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), Connection: "close" });
  res.end(text);
}
