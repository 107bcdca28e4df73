import { MissingApiKeyError } from "./errors.js";

/** The bearer token of an `Authorization` header. @throws MissingApiKeyError when absent or not a Bearer token. */
export function readApiKey(authorization: string | string[] | undefined): string {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value ?? "");
  if (!match) throw new MissingApiKeyError();
  return match[1];
}
