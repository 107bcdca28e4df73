import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LocalTsaCredentials {
  dir: string;
  /** The TSA's self-signed P-256 certificate (PEM): pin it to verify tokens (`openssl ts -verify -CAfile`). */
  certificatePath: string;
  keyPath: string;
  /** The `openssl ts -reply -config` file. */
  configPath: string;
}

/** The TSA policy OID the local TSA writes into its tokens (a private arc; it vouches for nothing beyond this machine's clock). */
export const LOCAL_TSA_POLICY = "1.3.6.1.4.1.57264.9.1";

/**
 * The local TSA's key, certificate and `openssl ts` config in `dir`, made on first use with
 * Debian's OpenSSL: a P-256 key (an Ed25519 TSA key fails to sign in OpenSSL 3.0), a self-signed
 * certificate with `extendedKeyUsage=critical,timeStamping` (OpenSSL refuses to sign a time-stamp
 * with any other), and a `[tsa_config1]` section. Kept in `dir` (a work or temp dir), never in the
 * repository: a later run reuses them so earlier tokens still verify against the same certificate.
 *
 * @throws Error from openssl when it is missing or fails.
 */
export async function ensureLocalTsaCredentials(dir: string): Promise<LocalTsaCredentials> {
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, "tsa.key");
  const certificatePath = join(dir, "tsa.crt");
  const configPath = join(dir, "tsa.cnf");
  if (!existsSync(certificatePath) || !existsSync(keyPath)) {
    await run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath]);
    await run("openssl", ["req", "-new", "-x509", "-key", keyPath, "-out", certificatePath, "-days", "3650", "-subj", "/CN=IngotForge local TSA", "-addext", "extendedKeyUsage=critical,timeStamping"]);
  }
  if (!existsSync(join(dir, "serial"))) await writeFile(join(dir, "serial"), "01\n");
  await writeFile(
    configPath,
    [
      "[ tsa ]",
      "default_tsa = tsa_config1",
      "[ tsa_config1 ]",
      `serial = ${join(dir, "serial")}`,
      "crypto_device = builtin",
      `signer_cert = ${certificatePath}`,
      `signer_key = ${keyPath}`,
      "signer_digest = sha256",
      `default_policy = ${LOCAL_TSA_POLICY}`,
      "digests = sha256",
      "accuracy = secs:1",
      "ordering = yes",
      "tsa_name = yes",
      "ess_cert_id_chain = no",
      "ess_cert_id_alg = sha256",
      `certs = ${certificatePath}`,
      "",
    ].join("\n"),
  );
  return { dir, certificatePath, keyPath, configPath };
}
