// Bad input to src/stats: a RangeError that names the function, the argument and its value.
import { describe, expect, it } from 'vitest';
import {
  betaInc,
  betaIncInv,
  binomTest,
  clopperPearson,
  gammaInc,
  gammaIncInv,
  normCdf,
  normPpf,
} from '../../src/stats/index.js';

function rangeErrorOf(call: () => unknown): RangeError {
  try {
    call();
  } catch (error) {
    if (error instanceof RangeError) return error;
    throw new Error(`expected a RangeError, got ${String(error)}`);
  }
  throw new Error('expected a RangeError, but the call returned');
}

describe('stats input validation', () => {
  it('clopperPearson: the message of the issue, verbatim', () => {
    expect(rangeErrorOf(() => clopperPearson(7.5, 10, 0.05)).message).toBe(
      'clopperPearson: k must be an integer in [0, n], got k = 7.5 (n = 10)',
    );
  });

  const cases: [string, () => unknown, RegExp][] = [
    ['k > n', () => clopperPearson(11, 10, 0.05), /^clopperPearson: k must be an integer in \[0, n\], got k = 11 \(n = 10\)$/],
    ['negative k', () => clopperPearson(-1, 10, 0.05), /clopperPearson: k .* got k = -1 \(n = 10\)/],
    ['NaN k', () => clopperPearson(NaN, 10, 0.05), /clopperPearson: k .* got k = NaN/],
    ['n = 0', () => clopperPearson(0, 0, 0.05), /clopperPearson: n must be an integer >= 1 \(and < 2\^53\), got n = 0/],
    ['non-integer n', () => clopperPearson(1, 2.5, 0.05), /clopperPearson: n must be an integer >= 1 \(and < 2\^53\), got n = 2.5/],
    ['n beyond 2^53', () => clopperPearson(1, 2 ** 60, 0.05), /clopperPearson: n .* got n = 1152921504606847000$/],
    ['alpha = 0', () => clopperPearson(1, 10, 0), /clopperPearson: alpha must be in \(0, 1\), got alpha = 0/],
    ['alpha = 1', () => clopperPearson(1, 10, 1), /clopperPearson: alpha .* got alpha = 1$/],
    ['alpha NaN', () => clopperPearson(1, 10, NaN), /clopperPearson: alpha .* got alpha = NaN/],
    ['binomTest k > n', () => binomTest(12, 10, 0.5), /binomTest: k must be an integer in \[0, n\], got k = 12 \(n = 10\)/],
    ['binomTest non-integer k', () => binomTest(2.5, 10), /binomTest: k .* got k = 2.5/],
    ['binomTest negative n', () => binomTest(0, -3), /binomTest: n must be an integer >= 1 \(and < 2\^53\), got n = -3/],
    ['binomTest p > 1', () => binomTest(3, 10, 1.5), /binomTest: p must be in \[0, 1\], got p = 1.5/],
    ['binomTest p < 0', () => binomTest(3, 10, -0.1), /binomTest: p .* got p = -0.1/],
    ['binomTest p NaN', () => binomTest(3, 10, NaN), /binomTest: p .* got p = NaN/],
    ['normCdf NaN', () => normCdf(NaN), /normCdf: x must be a number \(not NaN\), got x = NaN/],
    ['normPpf p > 1', () => normPpf(1.0000001), /normPpf: p must be in \[0, 1\], got p = 1.0000001/],
    ['normPpf p < 0', () => normPpf(-1e-300), /normPpf: p .* got p = -1e-300/],
    ['normPpf NaN', () => normPpf(NaN), /normPpf: p .* got p = NaN/],
    ['betaInc a = 0', () => betaInc(0, 1, 0.5), /betaInc: a must be a finite number > 0, got a = 0/],
    ['betaInc b infinite', () => betaInc(1, Infinity, 0.5), /betaInc: b .* got b = Infinity/],
    ['betaInc x > 1', () => betaInc(1, 2, 1.5), /betaInc: x must be in \[0, 1\], got x = 1.5/],
    ['betaInc x NaN', () => betaInc(1, 2, NaN), /betaInc: x .* got x = NaN/],
    ['betaIncInv p < 0', () => betaIncInv(1, 2, -0.5), /betaIncInv: p must be in \[0, 1\], got p = -0.5/],
    ['betaIncInv a NaN', () => betaIncInv(NaN, 2, 0.5), /betaIncInv: a .* got a = NaN/],
    ['gammaInc a < 0', () => gammaInc(-1, 2), /gammaInc: a must be a finite number > 0, got a = -1/],
    ['gammaInc x < 0', () => gammaInc(1, -2), /gammaInc: x must be in \[0, Infinity\], got x = -2/],
    ['gammaIncInv p NaN', () => gammaIncInv(2, NaN), /gammaIncInv: p must be in \[0, 1\], got p = NaN/],
    ['gammaIncInv p > 1', () => gammaIncInv(2, 2), /gammaIncInv: p .* got p = 2/],
    ['a string', () => clopperPearson('3' as unknown as number, 10, 0.05), /clopperPearson: k .* got k = 3 \(string\)/],
  ];
  for (const [what, call, message] of cases) {
    it(`${what} → RangeError naming the argument and its value`, () => {
      expect(rangeErrorOf(call).message).toMatch(message);
    });
  }

  it('the boundaries themselves are accepted', () => {
    expect(clopperPearson(0, 1, 1e-12)).toEqual([0, expect.any(Number)]);
    expect(clopperPearson(1, 1, 0.999999)[1]).toBe(1);
    expect(binomTest(0, 1, 0)).toBe(1);
    expect(binomTest(1, 1, 1)).toBe(1);
    expect(betaInc(1e-300, 1e-300, 0.5)).toBeCloseTo(0.5, 12);
    expect(gammaInc(1e-300, 1)).toBeCloseTo(1, 12);
  });
});
