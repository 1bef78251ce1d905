// Safeguarded Halley iteration for the root of an increasing function, used by the quantile functions.

export interface HalleyEvaluation {
  /** f(x); the root is above x where f < 0 and below x where f > 0. */
  readonly f: number;
  /** The proposed correction: the next iterate is x − step (NaN when no step can be computed). */
  readonly step: number;
}

const SMALLEST = 5e-324;

/**
 * Halley's step from the Newton step f/f' and the curvature f''/f': (f/f') / (1 − ½(f/f')(f''/f')).
 * Far from the root the correction factor can be arbitrarily wrong (even shrink the step to nothing),
 * so outside [½, 2] the plain Newton step is taken.
 */
export function halleyStep(newton: number, curvature: number): number {
  const factor = 1 - 0.5 * newton * curvature;
  return factor >= 0.5 && factor <= 2 ? newton / factor : newton;
}

/** A point strictly inside (lower, upper): geometric midpoint when the bracket spans many scales. */
function bisect(lower: number, upper: number): number {
  if (upper === Infinity) return lower > 0 ? 2 * lower : 1;
  if (lower === 0) return Math.sqrt(upper) * Math.sqrt(SMALLEST);
  if (upper > 4 * lower) return Math.sqrt(lower) * Math.sqrt(upper);
  return lower + 0.5 * (upper - lower);
}

/**
 * Finds the root of an increasing f on (lower, upper) starting from `start`. Each iteration shrinks the
 * bracket with the sign of f and takes the proposed Halley step when it stays inside the bracket and is at
 * most half the step before last (the `rtsafe` rule of Numerical Recipes 9.4); otherwise it bisects
 * (geometrically when the bracket spans several scales). It therefore cannot diverge or crawl. Stops when a
 * step is below `tolerance` relative (convergence is cubic, so the result is then accurate to the
 * evaluation noise), when steps stop shrinking at the noise floor of f, or when the bracket is exhausted.
 */
export function solveIncreasing(
  evaluate: (x: number) => HalleyEvaluation,
  start: number,
  lower: number,
  upper: number,
  tolerance = 1e-14,
): number {
  let lo = lower;
  let hi = upper;
  let x = start > lo && start < hi ? start : bisect(lo, hi);
  let lastChange = Infinity;
  let changeBeforeLast = Infinity;
  for (let iteration = 0; iteration < 400; iteration++) {
    const { f, step } = evaluate(x);
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const proposed = x - step;
    const inside = proposed >= lo && proposed <= hi;
    if (inside && Math.abs(step) <= tolerance * Math.abs(proposed)) return proposed;
    // At the noise floor of f the steps stop shrinking; the iterate is then as good as it gets.
    if (inside && Math.abs(step) <= 1e-9 * Math.abs(proposed) && Math.abs(step) > 0.25 * lastChange) return proposed;
    const halley = inside && proposed !== lo && proposed !== hi && Math.abs(step) <= 0.5 * changeBeforeLast;
    const next = halley ? proposed : bisect(lo, hi);
    if (next === lo || next === hi) {
      // Bracket exhausted. A root below the smallest subnormal rounds to 0.
      return lo === 0 && hi <= SMALLEST ? 0 : next;
    }
    changeBeforeLast = lastChange;
    lastChange = Math.abs(next - x);
    x = next;
  }
  return x;
}
