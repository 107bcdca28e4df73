/**
 * llama.cpp's RMSNorm: y = x / sqrt(mean(x²) + eps) · w, row by row. The forward pass keeps the
 * inverse RMS of each row (`invRms`) for the backward pass.
 */
export function rmsNormForward(
  y: Float64Array,
  invRms: Float64Array,
  x: Float64Array,
  w: Float64Array,
  rows: number,
  dim: number,
  eps: number,
  xOffset = 0,
): void {
  for (let t = 0; t < rows; t++) {
    const xo = xOffset + t * dim;
    const yo = t * dim;
    let ss = 0;
    for (let i = 0; i < dim; i++) ss += x[xo + i] * x[xo + i];
    const r = 1 / Math.sqrt(ss / dim + eps);
    invRms[t] = r;
    for (let i = 0; i < dim; i++) y[yo + i] = x[xo + i] * r * w[i];
  }
}

/**
 * dx (+)= ∂L/∂x and gw += ∂L/∂w given dy. With r = invRms: dx_i = r·w_i·dy_i − x_i·r³/n·Σ_j w_j·dy_j·x_j.
 * `dx` is accumulated into (the residual stream already holds the other branch's gradient).
 */
export function rmsNormBackward(
  dx: Float64Array,
  gw: Float64Array | null,
  dy: Float64Array,
  x: Float64Array,
  invRms: Float64Array,
  w: Float64Array,
  rows: number,
  dim: number,
  xOffset = 0,
): void {
  for (let t = 0; t < rows; t++) {
    const xo = xOffset + t * dim;
    const yo = t * dim;
    const r = invRms[t];
    let dot = 0;
    for (let i = 0; i < dim; i++) dot += w[i] * dy[yo + i] * x[xo + i];
    const c = (r * r * r * dot) / dim;
    for (let i = 0; i < dim; i++) dx[xo + i] += r * w[i] * dy[yo + i] - x[xo + i] * c;
    if (gw) for (let i = 0; i < dim; i++) gw[i] += dy[yo + i] * x[xo + i] * r;
  }
}
