/** dst (cols×rows) = srcᵀ for a row-major src (rows×cols); lets every product read rows (gemmNT). */
export function transpose(dst: Float64Array, src: Float64Array, rows: number, cols: number, srcOffset = 0): void {
  for (let r = 0; r < rows; r++) {
    const s = srcOffset + r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[s + c];
  }
}
