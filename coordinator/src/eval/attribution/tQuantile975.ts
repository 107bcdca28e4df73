/** The standard normal's 97.5% quantile. */
export const Z975 = 1.959963984540054;

/**
 * Student's t 97.5% quantile with `df` degrees of freedom (the half-width of a two-sided 95%
 * interval in standard errors): exact for 1 and 2 degrees of freedom, the Cornish-Fisher expansion
 * in 1/ν to the fourth order above (error 4·10⁻³ at ν = 3, under 10⁻⁴ from ν = 6, under 10⁻⁶ from
 * ν = 15), and
 * the normal quantile at infinity. Plain arithmetic, so every machine gets the same double.
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  if (df === 1) return Math.tan(Math.PI * 0.475);
  if (df === 2) return 0.95 / Math.sqrt(2 * 0.975 * 0.025);
  if (df === Infinity) return Z975;
  const z = Z975;
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}
