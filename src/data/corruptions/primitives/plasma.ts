/**
 * P8 (spec §2): `plasma_fractal(mapsize, wibbledecay)` of make_cifar_c.py — diamond-square on a
 * mapsize×mapsize torus (all indices mod mapsize), exactly in the reference's array order.
 *
 *   M[0,0] = 0, s = mapsize, w = 100; while s ≥ 2 (L = mapsize/s points per axis on the coarse grid):
 *     square:    M[a·s+s/2, b·s+s/2] = ((c(a,b) + c(a+1,b)) + (c(a,b+1) + c(a+1,b+1)))/4 + w·U(−w, w)
 *     diamond A: M[a·s, b·s+s/2]     = ((d(a,b) + d(a−1,b)) + (c(a,b) + c(a,b+1)))/4 + w·U(−w, w)
 *     diamond B: M[a·s+s/2, b·s]     = ((d(a,b) + d(a,b−1)) + (c(a,b) + c(a+1,b)))/4 + w·U(−w, w)
 *     s ← s/2, w ← w/decay
 *   where c(a,b) = M[a·s, b·s] and d(a,b) = M[a·s+s/2, b·s+s/2]; finally M ← (M − min)/max(M − min).
 *
 * Draw layout (uniform doubles, U(−w, w) = −w + 2w·u): one stream; for each level in order, the L²
 * square uniforms, then the L² diamond-A uniforms, then the L² diamond-B uniforms, each block
 * row-major in (a, b). Total mapsize² − 1 draws (1023 for 32). Within a level every point is
 * independent, so a GPU port can run one thread per point per step; levels are sequential.
 */
import type { Draws } from '../draws.js';

export function plasmaFractal(mapsize: number, wibbleDecay: number, draws: Draws, stream: number): Float64Array {
  if (mapsize < 2 || (mapsize & (mapsize - 1)) !== 0) {
    throw new RangeError(`plasmaFractal: mapsize must be a power of two ≥ 2, got ${mapsize}`);
  }
  const n = mapsize;
  const m = new Float64Array(n * n);
  const at = (r: number, c: number): number => m[(((r % n) + n) % n) * n + (((c % n) + n) % n)]!;
  let step = n;
  let wibble = 100;
  let draw = 0;
  const noisyMean = (sum: number): number => sum / 4 + wibble * draws.uniformIn(stream, draw++, -wibble, wibble);
  while (step >= 2) {
    const half = step / 2;
    const count = n / step;
    // each step reads only points written by earlier steps, so in-place writes are safe
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        const r = a * step;
        const c = b * step;
        const sum = at(r, c) + at(r + step, c) + (at(r, c + step) + at(r + step, c + step));
        m[(r + half) * n + (c + half)] = noisyMean(sum);
      }
    }
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        const r = a * step;
        const c = b * step;
        const sum = at(r + half, c + half) + at(r - half, c + half) + (at(r, c) + at(r, c + step));
        m[r * n + (c + half)] = noisyMean(sum);
      }
    }
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        const r = a * step;
        const c = b * step;
        const sum = at(r + half, c + half) + at(r + half, c - half) + (at(r, c) + at(r + step, c));
        m[(r + half) * n + c] = noisyMean(sum);
      }
    }
    step = half;
    wibble /= wibbleDecay;
  }
  let min = Infinity;
  for (const v of m) min = Math.min(min, v);
  let max = -Infinity;
  for (let i = 0; i < m.length; i++) {
    m[i] = m[i]! - min;
    max = Math.max(max, m[i]!);
  }
  for (let i = 0; i < m.length; i++) m[i] = m[i]! / max;
  return m;
}

/** Number of uniforms plasmaFractal draws: mapsize² − 1. */
export function plasmaDrawCount(mapsize: number): number {
  return mapsize * mapsize - 1;
}
