// Argument checks shared by the statistics functions. Every failure is a RangeError
// that names the function, the argument and the offending value.

function fail(fn: string, requirement: string, name: string, value: unknown, context = ''): never {
  const shown = typeof value === 'number' ? String(value) : `${String(value)} (${typeof value})`;
  throw new RangeError(`${fn}: ${name} must be ${requirement}, got ${name} = ${shown}${context}`);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** Any number except NaN (±Infinity allowed). */
export function checkNumber(fn: string, name: string, value: number): void {
  if (!isNumber(value)) fail(fn, 'a number (not NaN)', name, value);
}

/** A finite number > 0. */
export function checkPositive(fn: string, name: string, value: number): void {
  if (!isNumber(value) || !(value > 0) || value === Infinity) fail(fn, 'a finite number > 0', name, value);
}

/** A number in the closed interval [lo, hi] (infinite bounds allowed). */
export function checkClosed(fn: string, name: string, value: number, lo: number, hi: number): void {
  if (!isNumber(value) || value < lo || value > hi) fail(fn, `in [${lo}, ${hi}]`, name, value);
}

/** A number in the open interval (lo, hi). */
export function checkOpen(fn: string, name: string, value: number, lo: number, hi: number): void {
  if (!isNumber(value) || !(value > lo && value < hi)) fail(fn, `in (${lo}, ${hi})`, name, value);
}

/** An integer >= min that is exactly representable (a safe integer, below 2^53). */
export function checkCount(fn: string, name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) fail(fn, `an integer >= ${min} (and < 2^53)`, name, value);
}

/** An integer k with 0 <= k <= n; the message also shows n. */
export function checkCountAtMost(fn: string, name: string, value: number, nName: string, n: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > n) {
    fail(fn, `an integer in [0, ${nName}]`, name, value, ` (${nName} = ${n})`);
  }
}
