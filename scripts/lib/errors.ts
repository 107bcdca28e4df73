/** The local `hardhat node` did not start. */
export class LocalNodeError extends Error {
  override name = "LocalNodeError";
}
