/**
 * THE BOND SEAM (issue 23): the bond a data contribution must carry, read from the Forge's
 * config (`ForgeConfig.dataBond` once the contracts have it; 0 before). The flow sends it as the
 * transaction's value and the page shows it before signing.
 */
export function dataBondOf(config: object): bigint {
  const bond = (config as { dataBond?: unknown }).dataBond;
  return typeof bond === "bigint" ? bond : 0n;
}

/** Same for a compute registration (`ForgeConfig.computeBond` once it exists). */
export function computeBondOf(config: object): bigint {
  const bond = (config as { computeBond?: unknown }).computeBond;
  return typeof bond === "bigint" ? bond : 0n;
}
