import { execFile } from "node:child_process";
import { access, chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { NatsTransportError } from "./errors.js";

const run = promisify(execFile);

export interface MakeNatsCertificatesParameters {
  /** Where the files go (created 0700); never commit it. */
  dir: string;
  /** The names clients connect to (the host of their nats:// URL): IPs become IP SANs, the rest DNS SANs. */
  hosts: readonly string[];
  /** Validity of the CA and the server certificate (default 365 days). */
  days?: number;
  /** The openssl binary (default `openssl` on PATH). */
  openssl?: string;
}

export interface NatsCertificates {
  /** The CA certificate: give it to every worker and the coordinator (`--nats-ca`). Public. */
  caFile: string;
  /** The CA's private key (0600): keep it with the operator, off the server if you can. */
  caKeyFile: string;
  /** The server's certificate (signed by the CA, SANs = hosts) and key (0600), for nats-server's `tls` block. */
  certFile: string;
  keyFile: string;
  /** False when all four files were already there and were kept. */
  created: boolean;
}

/**
 * Makes a private CA and a server certificate for the pool's nats-server with openssl (EC P-256):
 *   openssl req -x509 -newkey ec … -keyout ca.key -out ca.pem            (the CA, CA:TRUE)
 *   openssl req -x509 -CA ca.pem -CAkey ca.key -newkey ec … -keyout server.key -out server.pem
 *     -addext subjectAltName=IP:…,DNS:… -addext extendedKeyUsage=serverAuth
 * Clients verify the server against ca.pem (`tls: { caFile }`), so a man in the middle without the
 * CA's key cannot pose as the server and collect worker tokens. Files already there are kept (a
 * restart must not invalidate the CA the workers hold); delete the dir to make new ones.
 */
export async function makeNatsCertificates(params: MakeNatsCertificatesParameters): Promise<NatsCertificates> {
  if (params.hosts.length === 0) throw new NatsTransportError("No host name for the server certificate", { hint: "Pass the host or IP the workers connect to (--host / --san)" });
  const files = {
    caFile: join(params.dir, "ca.pem"),
    caKeyFile: join(params.dir, "ca.key"),
    certFile: join(params.dir, "server.pem"),
    keyFile: join(params.dir, "server.key"),
  };
  const present = await Promise.all(Object.values(files).map((f) => access(f).then(() => true, () => false)));
  if (present.every(Boolean)) return { ...files, created: false };
  if (present.some(Boolean)) {
    throw new NatsTransportError(`${params.dir} holds only some of ca.pem, ca.key, server.pem, server.key`, { hint: `Remove ${params.dir} (workers then need the new ca.pem) or restore the missing files` });
  }
  await mkdir(params.dir, { recursive: true, mode: 0o700 });
  const openssl = params.openssl ?? "openssl";
  const days = String(params.days ?? 365);
  const san = [...new Set(params.hosts)].map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  try {
    await run(openssl, ["req", "-x509", ...ec, "-keyout", files.caKeyFile, "-out", files.caFile, "-days", days, "-subj", "/CN=IngotForge NATS CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    await run(openssl, ["req", "-x509", "-CA", files.caFile, "-CAkey", files.caKeyFile, ...ec, "-keyout", files.keyFile, "-out", files.certFile, "-days", days,
      "-subj", `/CN=${params.hosts[0]}`, "-addext", `subjectAltName=${san}`, "-addext", "basicConstraints=critical,CA:FALSE",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment", "-addext", "extendedKeyUsage=serverAuth"]);
    await chmod(files.caKeyFile, 0o600);
    await chmod(files.keyFile, 0o600);
    await writeFile(join(params.dir, ".gitignore"), "*\n");
  } catch (cause) {
    await Promise.all(Object.values(files).map((f) => rm(f, { force: true })));
    const missing = (cause as NodeJS.ErrnoException).code === "ENOENT";
    throw new NatsTransportError(missing ? `${openssl} was not found` : `openssl could not make the NATS certificates in ${params.dir}: ${String((cause as { stderr?: string }).stderr ?? cause).trim()}`, {
      hint: missing ? "install openssl (apt-get install openssl)" : "openssl 3.0 or later is needed (req -x509 -CA)",
      cause,
    });
  }
  return { ...files, created: true };
}
