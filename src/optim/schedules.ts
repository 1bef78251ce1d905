/**
 * np.interp(t, xs, ys) as a function of t: linear between knots, constant beyond the ends. The
 * reference configs give learning-rate and β schedules this way, e.g. [[0, 400, 1000], [0, 1e-3, 0]].
 */
export function piecewiseLinear(xs: readonly number[], ys: readonly number[]): (t: number) => number {
  if (!Array.isArray(xs) || !Array.isArray(ys) || xs.length === 0 || xs.length !== ys.length) {
    throw new Error(`piecewiseLinear: xs and ys must be non-empty arrays of the same length, got ${xs?.length} and ${ys?.length}`);
  }
  xs.forEach((x, i) => {
    if (!Number.isFinite(x) || !Number.isFinite(ys[i])) throw new RangeError(`piecewiseLinear: knot ${i} (${x}, ${ys[i]}) is not finite`);
    if (i > 0 && !(x > xs[i - 1]!)) throw new RangeError(`piecewiseLinear: xs must be strictly increasing; xs[${i}] = ${x} follows ${xs[i - 1]}`);
  });
  const knotsX = [...xs];
  const knotsY = [...ys];
  return (t: number): number => {
    if (Number.isNaN(t)) return NaN;
    const last = knotsX.length - 1;
    if (t <= knotsX[0]!) return knotsY[0]!;
    if (t >= knotsX[last]!) return knotsY[last]!;
    let i = 1;
    while (knotsX[i]! < t) i++;
    const x0 = knotsX[i - 1]!;
    const x1 = knotsX[i]!;
    const y0 = knotsY[i - 1]!;
    const y1 = knotsY[i]!;
    return y0 + ((t - x0) * (y1 - y0)) / (x1 - x0);
  };
}

export type Schedule = number | ((t: number) => number);

/** The value of a constant-or-schedule at t. */
export function scheduleValue(s: Schedule, t: number): number {
  return typeof s === 'number' ? s : s(t);
}
