/**
 * The few dense kernels the tiny model needs, on Float32Array rows with float64 accumulation:
 * matrix–vector products, RMSNorm, GPT-J RoPE over the 64 trailing dims, SiLU. Each result is a
 * pure function of its inputs, so a token's numbers never depend on which batch it ran in.
 */

/**
 * y[o] = Σ_i W[o, i]·x[i] for W stored row-major [out, in]. Monomorphic in Float32Array (the hot
 * loop of the model); `matVec64` is the same for float64 inputs (attention outputs).
 */
export function matVec(w: Float32Array, x: Float32Array, outDim: number, inDim: number, xOffset = 0): Float32Array {
  const y = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    const base = o * inDim;
    let a0 = 0;
    let a1 = 0;
    let i = 0;
    for (; i + 1 < inDim; i += 2) {
      a0 += w[base + i]! * x[xOffset + i]!;
      a1 += w[base + i + 1]! * x[xOffset + i + 1]!;
    }
    if (i < inDim) a0 += w[base + i]! * x[xOffset + i]!;
    y[o] = a0 + a1;
  }
  return y;
}

/** `matVec` for a float64 input vector. */
export function matVec64(w: Float32Array, x: Float64Array, outDim: number, inDim: number, xOffset = 0): Float32Array {
  const y = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    const base = o * inDim;
    let a0 = 0;
    let a1 = 0;
    let i = 0;
    for (; i + 1 < inDim; i += 2) {
      a0 += w[base + i]! * x[xOffset + i]!;
      a1 += w[base + i + 1]! * x[xOffset + i + 1]!;
    }
    if (i < inDim) a0 += w[base + i]! * x[xOffset + i]!;
    y[o] = a0 + a1;
  }
  return y;
}

/** RMSNorm with a weight vector: x·w/√(mean(x²)+eps). */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number): Float32Array {
  const n = weight.length;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[i]! * x[i]!;
  const inv = 1 / Math.sqrt(ss / n + eps);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i]! * inv * weight[i]!;
  return y;
}

/**
 * GPT-J RoPE in place over `ropeDim` dims starting at `offset`: pair i = dims (offset+2i,
 * offset+2i+1) rotated by pos·θ^(−2i/ropeDim).
 */
export function applyGptjRope(x: Float32Array, offset: number, ropeDim: number, pos: number, theta: number): void {
  for (let i = 0; i < ropeDim / 2; i++) {
    const angle = pos * theta ** (-(2 * i) / ropeDim);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const a = x[offset + 2 * i]!;
    const b = x[offset + 2 * i + 1]!;
    x[offset + 2 * i] = a * c - b * s;
    x[offset + 2 * i + 1] = a * s + b * c;
  }
}

export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Index of the largest value (ties → lowest index). */
export function argMax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
