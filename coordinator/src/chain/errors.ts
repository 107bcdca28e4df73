/** A chain-side problem a user can act on (missing build, unknown deployment, reverted call). */
export class ChainError extends Error {
  override name = "ChainError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
