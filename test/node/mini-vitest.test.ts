// mini-vitest (what the GPU suite's `vitest` import becomes in Chromium and Deno) must pass and fail
// exactly where vitest does: each case runs through the real `expect` and mini-vitest's, plain and
// negated (or under .resolves/.rejects), and the outcomes must agree.
import { describe, it, expect } from 'vitest';
import { expect as miniExpect } from '../harness/mini-expect.js';
import * as mini from '../harness/mini-vitest.js';

type Outcome = 'pass' | 'fail';
type Chain = 'plain' | 'not' | 'resolves' | 'resolves.not' | 'rejects' | 'rejects.not';
type AnyExpect = (actual: unknown) => unknown;

interface Case {
  matcher: string;
  actual: () => unknown;
  args: () => unknown[];
  label: string;
}

/** A case; `actual` and `args` are made fresh for every run (promises, stateful regexps). */
function c(matcher: string, actual: () => unknown, args: () => unknown[] = () => [], label = ''): Case {
  return { matcher, actual, args, label };
}

async function outcome(exp: AnyExpect, test: Case, chain: Chain): Promise<Outcome> {
  try {
    let assertion = exp(test.actual()) as Record<string, unknown>;
    if (chain !== 'plain') for (const step of chain.split('.')) assertion = assertion[step] as Record<string, unknown>;
    const result = (assertion[test.matcher] as (...args: unknown[]) => unknown)(...test.args());
    if (result && typeof (result as PromiseLike<unknown>).then === 'function') await result;
    return 'pass';
  } catch {
    return 'fail';
  }
}

/** The cases where vitest and mini-vitest disagree, described; empty when they agree everywhere. */
async function disagreements(cases: Case[], chains: Chain[]): Promise<string[]> {
  const out: string[] = [];
  for (const [i, test] of cases.entries()) {
    for (const chain of chains) {
      const real = await outcome(expect as unknown as AnyExpect, test, chain);
      const ours = await outcome(miniExpect as unknown as AnyExpect, test, chain);
      if (real !== ours) {
        out.push(`#${i} ${test.label || `${String(test.actual())}`} ${chain}.${test.matcher}(${test.args().map(String).join(', ')}): vitest ${real}, mini-vitest ${ours}`);
      }
    }
  }
  return out;
}

const SYNC: Chain[] = ['plain', 'not'];
const ASYNC: Chain[] = ['resolves', 'resolves.not', 'rejects', 'rejects.not'];

class Point {
  constructor(public x = 1) {}
}

function cyclic(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
}

const sym = Symbol('k');

/** Pairs for the deep-equality matchers. */
const EQUALITY_PAIRS: [label: string, a: () => unknown, b: () => unknown][] = [
  ['same objects', () => ({ a: 1, b: [1, 2] }), () => ({ a: 1, b: [1, 2] })],
  ['undefined property', () => ({ a: 1, b: undefined }), () => ({ a: 1 })],
  ['different values', () => ({ a: 1 }), () => ({ a: 2 })],
  ['array order', () => [1, 2], () => [2, 1]],
  ['NaN', () => NaN, () => NaN],
  ['0 and -0', () => 0, () => -0],
  ['[0] and [-0]', () => [0], () => [-0]],
  ['Float32Array equal', () => new Float32Array([1, 2.5]), () => new Float32Array([1, 2.5])],
  ['Float32Array differ', () => new Float32Array([1, 2]), () => new Float32Array([1, 3])],
  ['Float32Array lengths', () => new Float32Array([1, 2]), () => new Float32Array([1, 2, 0])],
  ['Float32Array NaN', () => new Float32Array([NaN]), () => new Float32Array([NaN])],
  ['Float32Array -0', () => new Float32Array([-0]), () => new Float32Array([0])],
  ['Float32 vs Float64', () => new Float32Array([1, 2]), () => new Float64Array([1, 2])],
  ['Float32Array vs array', () => new Float32Array([1, 2]), () => [1, 2]],
  ['Int32 vs Uint32', () => new Int32Array([1]), () => new Uint32Array([1])],
  ['typed array extra prop', () => Object.assign(new Uint8Array([1]), { tag: 1 }), () => new Uint8Array([1])],
  ['Set order', () => new Set([1, 2]), () => new Set([2, 1])],
  ['Set of objects', () => new Set([{ a: 1 }]), () => new Set([{ a: 1 }])],
  ['Set differ', () => new Set([1]), () => new Set([2])],
  ['Map order', () => new Map([['a', 1], ['b', 2]]), () => new Map([['b', 2], ['a', 1]])],
  ['Map object keys', () => new Map([[{ k: 1 }, 1]]), () => new Map([[{ k: 1 }, 1]])],
  ['Map differ', () => new Map([['a', 1]]), () => new Map([['a', 2]])],
  ['class vs plain', () => new Point(1), () => ({ x: 1 })],
  ['sparse vs undefined', () => [, 1], () => [undefined, 1]], // eslint-disable-line no-sparse-arrays
  ['dates', () => new Date(5), () => new Date(5)],
  ['dates differ', () => new Date(5), () => new Date(6)],
  ['regexps', () => /a/g, () => /a/g],
  ['regexp flags', () => /a/g, () => /a/i],
  ['errors', () => new Error('x'), () => new Error('x')],
  ['error messages', () => new Error('x'), () => new Error('y')],
  ['error classes', () => new Error('x'), () => new TypeError('x')],
  ['error causes', () => new Error('x', { cause: 1 }), () => new Error('x', { cause: 2 })],
  ['cycles', cyclic, cyclic],
  ['ArrayBuffers differ', () => new Uint8Array([1]).buffer, () => new Uint8Array([2]).buffer],
  ['ArrayBuffers equal', () => new Uint8Array([1, 2]).buffer, () => new Uint8Array([1, 2]).buffer],
  ['DataViews differ', () => new DataView(new Uint8Array([1]).buffer), () => new DataView(new Uint8Array([2]).buffer)],
  ['symbol keys', () => ({ [sym]: 1 }), () => ({ [sym]: 1 })],
  ['symbol keys differ', () => ({ [sym]: 1 }), () => ({ [sym]: 2 })],
  ['String object', () => 'a', () => new String('a')],
  ['bigints', () => 1n, () => 1n],
  ['bigint vs number', () => 1n, () => 1],
  ['null vs undefined', () => null, () => undefined],
  ['null-prototype object', () => Object.assign(Object.create(null), { a: 1 }), () => ({ a: 1 })],
  ['array extra prop', () => Object.assign([1], { p: 1 }), () => [1]],
  ['nested typed arrays', () => ({ w: [new Float32Array([1])] }), () => ({ w: [new Float32Array([1])] })],
  ['functions', () => Math.max, () => Math.max],
  ['different functions', () => Math.max, () => Math.min],
];

const thrower = (value: unknown) => () => () => {
  throw value;
};

describe('mini-vitest matchers agree with vitest', () => {
  it('toBe', async () => {
    const shared = { a: 1 };
    const cases = [
      c('toBe', () => 1, () => [1]),
      c('toBe', () => NaN, () => [NaN]),
      c('toBe', () => 0, () => [-0]),
      c('toBe', () => ({}), () => [{}], 'fresh objects'),
      c('toBe', () => shared, () => [shared], 'same object'),
      c('toBe', () => 'a', () => ['a']),
      c('toBe', () => null, () => [undefined]),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toEqual and toStrictEqual', async () => {
    const cases = EQUALITY_PAIRS.flatMap(([label, a, b]) => [c('toEqual', a, () => [b()], label), c('toStrictEqual', a, () => [b()], label)]);
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toBeCloseTo', async () => {
    const cases: [number | string, number, number?][] = [
      [0.1 + 0.2, 0.3],
      [0.1 + 0.2, 0.3, 15],
      [0.1 + 0.2, 0.3, 17],
      [1, 1.004],
      [1, 1.005],
      [1, 1.006],
      [Infinity, Infinity],
      [-Infinity, -Infinity],
      [-Infinity, Infinity],
      [NaN, NaN],
      ['1', 1],
      [1.23, 1.2, 1],
      [100, 100.4, 0],
      [100, 100.6, 0],
      [1e-10, 0],
      [1e-10, 0, 10],
      [-3, 3],
      [0.005, 0], // exactly on the boundary: |a - b| = 10^-2 / 2, not less
      [0.5, 0, 0],
      [0.25, 0, 0],
    ];
    const built = cases.map(([a, b, d]) => c('toBeCloseTo', () => a, () => (d === undefined ? [b] : [b, d])));
    expect(await disagreements(built, SYNC)).toEqual([]);
  });

  it('toBeGreaterThan, toBeGreaterThanOrEqual, toBeLessThan, toBeLessThanOrEqual', async () => {
    const pairs: [unknown, unknown][] = [[2, 1], [1, 1], [1, 2], [1n, 0n], [1n, 2], ['2', 1], [2, '1'], [NaN, 1], [Infinity, 1], [-0, 0], [undefined, 1]];
    const cases = ['toBeGreaterThan', 'toBeGreaterThanOrEqual', 'toBeLessThan', 'toBeLessThanOrEqual'].flatMap((m) => pairs.map(([a, b]) => c(m, () => a, () => [b])));
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toBeTruthy, toBeFalsy, toBeDefined, toBeUndefined, toBeNull, toBeNaN', async () => {
    const values: unknown[] = [0, 1, -0, '', 'a', null, undefined, NaN, [], {}, 0n, 'NaN', false];
    const cases = ['toBeTruthy', 'toBeFalsy', 'toBeDefined', 'toBeUndefined', 'toBeNull', 'toBeNaN'].flatMap((m) => values.map((v) => c(m, () => v)));
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toBeInstanceOf', async () => {
    const cases = [
      c('toBeInstanceOf', () => new Error('x'), () => [Error]),
      c('toBeInstanceOf', () => new TypeError('x'), () => [Error]),
      c('toBeInstanceOf', () => new Error('x'), () => [TypeError]),
      c('toBeInstanceOf', () => [], () => [Object]),
      c('toBeInstanceOf', () => 1, () => [Number]),
      c('toBeInstanceOf', () => ({}), () => [Array]),
      c('toBeInstanceOf', () => new Float32Array(1), () => [Float32Array]),
      c('toBeInstanceOf', () => new Point(), () => [Point]),
      c('toBeInstanceOf', () => ({}), () => [{}], 'not a constructor'),
      c('toBeInstanceOf', () => ({}), () => [() => 1], 'arrow function'),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toContain', async () => {
    const item = { a: 1 };
    const cases = [
      c('toContain', () => [1, 2, 3], () => [2]),
      c('toContain', () => [1, 2, 3], () => [4]),
      c('toContain', () => [1, 2, 3], () => ['2']),
      c('toContain', () => 'hello', () => ['ell']),
      c('toContain', () => 'hello', () => ['x']),
      c('toContain', () => 'hello', () => ['']),
      c('toContain', () => new Float32Array([1, 2.5]), () => [2.5]),
      c('toContain', () => new Float32Array([1, 2.5]), () => [3]),
      c('toContain', () => [NaN], () => [NaN]),
      c('toContain', () => [{ a: 1 }], () => [{ a: 1 }], 'deep item'),
      c('toContain', () => [item], () => [item], 'same item'),
      c('toContain', () => new Set([1]), () => [1]),
      c('toContain', () => 'a1', () => [1]),
      c('toContain', () => null, () => [1]),
      c('toContain', () => undefined, () => ['a']),
      c('toContain', () => ({}), () => [1]),
      c('toContain', () => [0], () => [-0]),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toHaveLength', async () => {
    const cases = [
      c('toHaveLength', () => [1, 2], () => [2]),
      c('toHaveLength', () => [1, 2], () => [3]),
      c('toHaveLength', () => 'abc', () => [3]),
      c('toHaveLength', () => new Float32Array(5), () => [5]),
      c('toHaveLength', () => ({ length: 3 }), () => [3]),
      c('toHaveLength', () => new Set([1]), () => [1]),
      c('toHaveLength', () => new Map(), () => [0]),
      c('toHaveLength', () => [], () => [1]),
      c('toHaveLength', () => 5, () => [1]),
      c('toHaveLength', () => null, () => [0]),
      c('toHaveLength', () => ({}), () => [0]),
      c('toHaveLength', () => [1, 2], () => ['2']),
      c('toHaveLength', () => (a: number, b: number) => a + b, () => [2]),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toMatch', async () => {
    const cases = [
      c('toMatch', () => 'abc', () => [/b/]),
      c('toMatch', () => 'abc', () => ['b']),
      c('toMatch', () => 'abc', () => [/d/]),
      c('toMatch', () => 'abc', () => ['d']),
      c('toMatch', () => 'abc', () => [/^abc$/]),
      c('toMatch', () => 'a.c', () => ['.']),
      c('toMatch', () => 'abc', () => ['.']),
      c('toMatch', () => 'abc', () => [/B/i]),
      c('toMatch', () => 'abab', () => [/b/g]),
      c('toMatch', () => 1, () => [/1/]),
      c('toMatch', () => null, () => ['n']),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toThrow and toThrowError', async () => {
    const actuals: [string, () => unknown][] = [
      ['throws Error(boom)', thrower(new Error('boom'))],
      ['throws TypeError(boom)', thrower(new TypeError('boom'))],
      ['throws a string', thrower('boom')],
      ['throws an object with a message', thrower({ message: 'boom' })],
      ['throws undefined', thrower(undefined)],
      ['throws 0', thrower(0)],
      ['does not throw', () => () => 1],
      ['not a function', () => 1],
    ];
    const expectations: unknown[][] = [[], ['boo'], ['nope'], [''], [/bo+m/], [/x/], [Error], [TypeError], [RangeError], [new Error('boom')], [new Error('other')], [new TypeError('boom')]];
    const cases = ['toThrow', 'toThrowError'].flatMap((m) =>
      actuals.flatMap(([label, actual]) => expectations.map((args) => c(m, actual, () => args, `${label}`))),
    );
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('toHaveProperty', async () => {
    const deep = () => ({ a: { b: [1, { c: 2 }] }, 'x.y': 3, z: undefined, n: 0 });
    const cases = [
      c('toHaveProperty', deep, () => ['a.b[1].c']),
      c('toHaveProperty', deep, () => ['a.b.1.c']),
      c('toHaveProperty', deep, () => [['a', 'b', 1, 'c']]),
      c('toHaveProperty', deep, () => ['a.b[1].c', 2]),
      c('toHaveProperty', deep, () => ['a.b[1].c', 3]),
      c('toHaveProperty', deep, () => ['a.b[1]', { c: 2 }]),
      c('toHaveProperty', deep, () => ['a.x']),
      c('toHaveProperty', deep, () => ['a.b[5]']),
      c('toHaveProperty', deep, () => ['x.y']),
      c('toHaveProperty', deep, () => [['x.y']]),
      c('toHaveProperty', deep, () => ['x\\.y']),
      c('toHaveProperty', deep, () => ['z']),
      c('toHaveProperty', deep, () => ['z', undefined]),
      c('toHaveProperty', deep, () => ['n.b']),
      c('toHaveProperty', deep, () => ['a', { b: [1, { c: 2 }] }]),
      c('toHaveProperty', () => ({}), () => ['toString']),
      c('toHaveProperty', () => [1, 2], () => ['length', 2]),
      c('toHaveProperty', () => 'abc', () => ['length']),
      c('toHaveProperty', () => ({ w: new Float32Array([1]) }), () => ['w', new Float32Array([1])]),
      c('toHaveProperty', () => ({ w: new Float32Array([1]) }), () => ['w', new Float64Array([1])]),
      c('toHaveProperty', () => ({ w: new Float32Array([1]) }), () => ['w.length', 1]),
      c('toHaveProperty', () => null, () => ['a']),
    ];
    expect(await disagreements(cases, SYNC)).toEqual([]);
  });

  it('.resolves and .rejects', async () => {
    const ok = () => Promise.resolve(1);
    const bad = () => Promise.reject(new TypeError('broken'));
    const cases = [
      c('toBe', ok, () => [1]),
      c('toBe', ok, () => [2]),
      c('toEqual', () => Promise.resolve({ a: [1] }), () => [{ a: [1] }]),
      c('toThrow', bad, () => ['broken']),
      c('toThrow', bad, () => ['other']),
      c('toThrow', bad, () => [TypeError]),
      c('toThrow', bad, () => [RangeError]),
      c('toThrow', bad, () => []),
      c('toThrow', ok, () => []),
      c('toThrow', () => Promise.reject('a string'), () => ['a str']),
      c('toBeInstanceOf', bad, () => [TypeError]),
      c('toHaveProperty', bad, () => ['message', 'broken']),
      c('toBe', () => 1, () => [1], 'not a promise'),
      c('toThrow', () => () => Promise.reject(new Error('lazy')), () => ['lazy'], 'function returning a promise'),
    ];
    expect(await disagreements(cases, ASYNC)).toEqual([]);
  });
});

describe('mini-vitest fails loudly on what it does not implement', () => {
  it('rejects unsupported matchers and expect properties', () => {
    expect(() => (miniExpect(1) as unknown as Record<string, () => void>).toMatchObject!()).toThrow('mini-vitest: unsupported matcher toMatchObject');
    expect(() => (miniExpect as unknown as Record<string, unknown>).any).toThrow('mini-vitest: unsupported expect.any');
    expect(() => (miniExpect as unknown as Record<string, unknown>).assertions).toThrow('mini-vitest: unsupported expect.assertions');
    expect(() => (miniExpect(1).not as unknown as Record<string, unknown>).toHaveBeenCalled).toThrow('unsupported matcher toHaveBeenCalled');
  });

  it('forbids skipping, focusing, todo and parametrised tests', () => {
    const api = mini as unknown as Record<string, Record<string, unknown>>;
    for (const [fn, modifier] of [['it', 'skip'], ['test', 'only'], ['it', 'todo'], ['describe', 'skip'], ['describe', 'only'], ['it', 'each'], ['it', 'skipIf'], ['it', 'concurrent']]) {
      expect(() => api[fn!]![modifier!]).toThrow(`mini-vitest: unsupported ${fn}.${modifier}`);
    }
    expect(() => mini.it('a todo test')).toThrow('todo tests are forbidden');
  });

  it('prefixes the custom message like vitest', () => {
    let message = '';
    try {
      miniExpect(1, 'the count').toBe(2);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe('the count: expected 1 to be 2 // Object.is equality');
  });
});
