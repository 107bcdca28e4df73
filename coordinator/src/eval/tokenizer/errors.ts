export class TokenizerError extends Error {
  override name = "TokenizerError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
