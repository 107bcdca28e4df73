import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex } from "@noble/hashes/utils";
import type { DatasetExample } from "./types.js";

/** Domain tag, so this hash never collides with another use of sha256 in the project. */
const DOMAIN = "ingotforge/dataset-example/v1";

export type ExampleHashParameters = Pick<DatasetExample, "prompt" | "response">;

/** `0x` + 64 lowercase hex digits. */
export type ExampleHashReturnType = `0x${string}`;

/**
 * Content hash of an example, independent of its id, so the same prompt and response submitted
 * by two contributors (or twice by one) is recognised whatever it is called.
 *
 * sha256( utf8(DOMAIN) ‖ u32be(len P) ‖ P ‖ u32be(len R) ‖ R ), where P and R are the UTF-8
 * bytes of prompt and response exactly as decoded from the JSON line. Length prefixes make the
 * encoding unambiguous (no separator can be forged from inside a field). No normalisation
 * (whitespace, Unicode, line endings) is applied on purpose: the hash identifies the exact text
 * the model is trained on; near-duplicates are the attribution step's business.
 */
export function exampleHash(example: ExampleHashParameters): ExampleHashReturnType {
  const encoder = new TextEncoder();
  const domain = encoder.encode(DOMAIN);
  const prompt = encoder.encode(example.prompt);
  const response = encoder.encode(example.response);
  const buf = new Uint8Array(domain.length + 4 + prompt.length + 4 + response.length);
  const view = new DataView(buf.buffer);
  let at = 0;
  buf.set(domain, at);
  at += domain.length;
  view.setUint32(at, prompt.length);
  at += 4;
  buf.set(prompt, at);
  at += prompt.length;
  view.setUint32(at, response.length);
  at += 4;
  buf.set(response, at);
  return `0x${bytesToHex(sha256(buf))}`;
}
