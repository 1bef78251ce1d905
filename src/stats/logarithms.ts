// Logarithmic helpers. The deviation functions keep full relative precision where the naive formulas
// cancel: they let log-densities of the form a·ln(x/m) − a·(x/m − 1) be computed for huge a without
// subtracting two huge numbers.

/**
 * t − ln(1 + t) for t > −1 (always ≥ 0).
 * Near 0, with u = t / (2 + t): ln(1 + t) = 2·atanh(u) = 2(u + u³/3 + u⁵/5 + …) and t − 2u = t·u,
 * so t − ln(1 + t) = t·u − 2(u³/3 + u⁵/5 + …), free of cancellation.
 */
export function xMinusLog1p(t: number): number {
  if (t < -0.5 || t > 1) return t - Math.log1p(t);
  const u = t / (2 + t);
  const u2 = u * u;
  let power = u * u2;
  let tail = 0;
  for (let k = 3; k < 200; k += 2) {
    const term = power / k;
    tail += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(tail)) break;
    power *= u2;
  }
  return t * u - 2 * tail;
}

/** x/m − 1 − ln(x/m) for x ≥ 0, m > 0 (always ≥ 0; +Infinity at x = 0). */
export function ratioDeviation(x: number, m: number): number {
  if (x >= 0.5 * m && x <= 2 * m) return xMinusLog1p((x - m) / m); // x − m is exact here (Sterbenz)
  const ratio = x / m;
  const logRatio = ratio > 1e-300 && ratio < 1e300 ? Math.log(ratio) : Math.log(x) - Math.log(m);
  return (x - m) / m - logRatio;
}

/** exp(logFactor)·multiplier without underflowing exp(logFactor) first when the product is representable. */
export function scaledExp(logFactor: number, multiplier: number): number {
  if (logFactor > -700) return Math.exp(logFactor) * multiplier;
  return Math.exp(logFactor + Math.log(multiplier));
}
