/**
 * The base shape of a gateway part's errors (proof, witness): a message that ends with what to do
 * next (`hint`, also kept on its own for callers that show it apart), and an optional cause.
 * Free of Node-only imports, so the proof part still bundles for the browser.
 */
export class HintedError extends Error {
  override name = "HintedError";
  readonly hint: string;
  constructor(message: string, options: { hint: string; cause?: unknown }) {
    super(`${message}. ${options.hint}`, { cause: options.cause });
    this.hint = options.hint;
  }
}
