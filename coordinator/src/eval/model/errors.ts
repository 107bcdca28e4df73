export class ModelError extends Error {
  override name = "ModelError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
