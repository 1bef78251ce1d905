/**
 * Poisson variates for shot_noise (spec §7.3: inversion for λ ≤ 30, PTRS above).
 *
 * Draw layout for variate e of stream s: attempt a uses Philox block e of (stream s, attempt a),
 * read as two uniform doubles u = words (0, 1) and w = words (2, 3) (`wordsToUnit53`).
 * - λ ≤ 30: inversion with u of attempt 0: the smallest k with F(k) > u, F the Poisson CDF
 *   summed term by term (p_0 = e^{−λ}, p_k = p_{k−1}·λ/k).
 * - λ > 30: Hörmann's PTRS (transformed rejection with squeeze, as numpy's random_poisson_ptrs):
 *   attempt a = 0, 1, … until accepted (acceptance ≈ 0.9 per attempt).
 */
import type { Draws } from './draws.js';
import { wordsToUnit53 } from '../../random/philox.js';

const LOGGAM_COEFFS = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** log Γ(x) for x ≥ 1 (the Stirling series numpy's random_loggam uses). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + n;
  const x2 = (1 / x0) * (1 / x0);
  let gl0 = LOGGAM_COEFFS[9]!;
  for (let k = 8; k >= 0; k--) gl0 = gl0 * x2 + LOGGAM_COEFFS[k]!;
  let gl = gl0 / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

export function poisson(draws: Draws, stream: number, e: number, lambda: number): number {
  if (!(lambda >= 0)) throw new RangeError(`poisson: λ must be ≥ 0, got ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda <= 30) {
    const w = draws.blockWords(e, stream, 0);
    const u = wordsToUnit53(w[0]!, w[1]!);
    let k = 0;
    let p = Math.exp(-lambda);
    let cdf = p;
    // the term guard stops the (astronomically unlikely) walk past the point where p underflows
    while (u >= cdf && p > 0) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (let attempt = 0; ; attempt++) {
    const w = draws.blockWords(e, stream, attempt);
    const U = wordsToUnit53(w[0]!, w[1]!) - 0.5;
    const V = wordsToUnit53(w[2]!, w[3]!);
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) return k;
  }
}
