// src/stats against SciPy / statsmodels reference values (test/fixtures/stats.json, written by
// scripts/fixtures/stats.py; where SciPy itself is off by more than 1e-12 the fixture holds the 50-digit
// mpmath value instead and lists the point under "replaced").
import { afterAll, describe, expect, it } from 'vitest';
import fixtures from '../fixtures/stats.json';
import {
  betaInc,
  betaIncInv,
  binomTest,
  clopperPearson,
  gammaInc,
  gammaIncInv,
  lbeta,
  lgamma,
  normCdf,
  normPpf,
} from '../../src/stats/index.js';

type Cell = number | string;

/** Fixture cells: numbers, or "inf" / "-inf" / "nan" for values JSON cannot hold. */
function num(cell: Cell | undefined): number {
  if (typeof cell === 'number') return cell;
  if (cell === 'inf') return Infinity;
  if (cell === '-inf') return -Infinity;
  if (cell === 'nan') return NaN;
  throw new Error(`bad fixture cell ${String(cell)}`);
}

const SMALLEST_NORMAL = 2.2250738585072014e-308;
const TOLERANCE = 1e-9;
/** The accuracy target relaxes to 1e-8 where a Beta parameter is ≥ 1e4. */
const LARGE_PARAMETER_TOLERANCE = 1e-8;

const maxError = new Map<string, { error: number; at: string }>();

/**
 * Relative error, or null when the comparison is absolute: below the normal range float64 has no relative
 * precision left (and SciPy flushes some such values to 0, e.g. ndtr(-38)), so there both values need only
 * be smaller than the smallest normal number.
 */
function relativeError(actual: number, expected: number): number | null {
  if (Object.is(actual, expected) || actual === expected) return 0;
  if (!Number.isFinite(expected)) return Infinity;
  if (Math.abs(expected) < SMALLEST_NORMAL) return null;
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Compares a batch, records the worst relative error and returns the failures (at most 10). */
function compare(name: string, rows: { args: number[]; actual: number; expected: number; tolerance: number }[]) {
  const failures: string[] = [];
  let worst = maxError.get(name) ?? { error: 0, at: '' };
  for (const { args, actual, expected, tolerance } of rows) {
    const error = relativeError(actual, expected);
    const pass =
      error === null ? Math.abs(actual - expected) < SMALLEST_NORMAL : error <= tolerance;
    if (error !== null && error > worst.error) worst = { error, at: args.join(', ') };
    if (!pass && failures.length < 10) failures.push(`${name}(${args.join(', ')}) = ${actual}, expected ${expected}`);
  }
  maxError.set(name, worst);
  return failures;
}

afterAll(() => {
  const lines = [...maxError].map(([name, { error, at }]) => `  ${name.padEnd(18)} ${error.toExponential(2)}  at (${at})`);
  console.log(`max relative error against the fixtures:\n${lines.join('\n')}`);
});

const betaTolerance = (a: number, b: number) => (a >= 1e4 || b >= 1e4 ? LARGE_PARAMETER_TOLERANCE : TOLERANCE);

describe('stats against SciPy / statsmodels', () => {
  it('has a non-trivial fixture', () => {
    expect(fixtures.betaInc.length).toBeGreaterThan(3000);
    expect(fixtures.betaIncInv.length).toBeGreaterThan(1500);
    expect(fixtures.clopperPearson.length).toBeGreaterThan(500);
    expect(fixtures.binomTest.length).toBeGreaterThan(800);
  });

  it('normCdf', () => {
    const rows = (fixtures.normCdf as Cell[][]).map(([x, e]) => ({
      args: [num(x)],
      actual: normCdf(num(x)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('normCdf', rows)).toEqual([]);
  });

  it('normPpf, including the tails down to p = 1e-300 and up to 1 − 2^-53', () => {
    const rows = (fixtures.normPpf as Cell[][]).map(([p, e]) => ({
      args: [num(p)],
      actual: normPpf(num(p)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('normPpf', rows)).toEqual([]);
  });

  it('gammaInc, a from 1e-3 to 1e5', () => {
    const rows = (fixtures.gammaInc as Cell[][]).map(([a, x, e]) => ({
      args: [num(a), num(x)],
      actual: gammaInc(num(a), num(x)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('gammaInc', rows)).toEqual([]);
  });

  it('gammaIncInv, a from 1e-3 to 1e5, p from 1e-300 to 1 − 1e-14', () => {
    const rows = (fixtures.gammaIncInv as Cell[][]).map(([a, p, e]) => ({
      args: [num(a), num(p)],
      actual: gammaIncInv(num(a), num(p)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('gammaIncInv', rows)).toEqual([]);
  });

  it('betaInc, a and b from 1e-2 to 1e6', () => {
    const rows = (fixtures.betaInc as Cell[][]).map(([a, b, x, e]) => ({
      args: [num(a), num(b), num(x)],
      actual: betaInc(num(a), num(b), num(x)),
      expected: num(e),
      tolerance: betaTolerance(num(a), num(b)),
    }));
    expect(compare('betaInc', rows)).toEqual([]);
  });

  it('betaIncInv, a and b from 1e-2 to 1e6, p from 1e-300 to 1 − 1e-12', () => {
    const rows = (fixtures.betaIncInv as Cell[][]).map(([a, b, p, e]) => ({
      args: [num(a), num(b), num(p)],
      actual: betaIncInv(num(a), num(b), num(p)),
      expected: num(e),
      tolerance: betaTolerance(num(a), num(b)),
    }));
    expect(compare('betaIncInv', rows)).toEqual([]);
  });

  it('clopperPearson = proportion_confint(method="beta"), n from 1 to 1e6, alpha from 1e-6 to 0.5', () => {
    const rows = (fixtures.clopperPearson as Cell[][]).flatMap(([k, n, alpha, lo, hi]) => {
      const [actualLo, actualHi] = clopperPearson(num(k), num(n), num(alpha));
      const tolerance = num(n) >= 1e4 ? LARGE_PARAMETER_TOLERANCE : TOLERANCE;
      const args = [num(k), num(n), num(alpha)];
      return [
        { args: [...args, 0], actual: actualLo, expected: num(lo), tolerance },
        { args: [...args, 1], actual: actualHi, expected: num(hi), tolerance },
      ];
    });
    expect(compare('clopperPearson', rows)).toEqual([]);
  });

  it('clopperPearson is exactly 0 at k = 0 and exactly 1 at k = n', () => {
    for (const [k, n, alpha, lo, hi] of fixtures.clopperPearson as Cell[][]) {
      const [actualLo, actualHi] = clopperPearson(num(k), num(n), num(alpha));
      if (num(k) === 0) expect([actualLo, num(lo)]).toEqual([0, 0]);
      if (num(k) === num(n)) expect([actualHi, num(hi)]).toEqual([1, 1]);
    }
  });

  it('binomTest = scipy.stats.binomtest, n from 1 to 1e6, p from 0 to 1, ties included', () => {
    const rows = (fixtures.binomTest as Cell[][]).map(([k, n, p, e]) => ({
      args: [num(k), num(n), num(p)],
      actual: binomTest(num(k), num(n), num(p)),
      expected: num(e),
      tolerance: num(n) >= 1e4 ? LARGE_PARAMETER_TOLERANCE : TOLERANCE,
    }));
    expect(compare('binomTest', rows)).toEqual([]);
  });

  it('lgamma and lbeta', () => {
    const gammaRows = (fixtures.lgamma as Cell[][]).map(([x, e]) => ({
      args: [num(x)],
      actual: lgamma(num(x)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('lgamma', gammaRows)).toEqual([]);
    const betaRows = (fixtures.lbeta as Cell[][]).map(([a, b, e]) => ({
      args: [num(a), num(b)],
      actual: lbeta(num(a), num(b)),
      expected: num(e),
      tolerance: TOLERANCE,
    }));
    expect(compare('lbeta', betaRows)).toEqual([]);
  });
});
