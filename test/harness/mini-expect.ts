/**
 * `expect` for mini-vitest: the matchers the GPU suite uses, with vitest's pass/fail semantics
 * (checked against the real vitest in test/node/mini-vitest.test.ts). Anything else throws
 * "mini-vitest: unsupported ..." so that a test using it fails loudly instead of passing.
 */
import { equals, isError, iterableEquality, toEqualEquals, toStrictEqualEquals } from './mini-equals.js';
import { formatValue as fmt } from './mini-format.js';

export class AssertionError extends Error {
  override name = 'AssertionError';
}

interface Flags {
  negate: boolean;
  promise?: 'resolves' | 'rejects';
  message?: string;
}

type Matcher = (actual: unknown, args: unknown[], flags: Flags) => void;

/** Fails unless `pass` (or, under `.not`, unless `!pass`). */
function check(flags: Flags, pass: unknown, message: string, negatedMessage: string): void {
  if (flags.negate ? !pass : Boolean(pass)) return;
  fail(flags, flags.negate ? negatedMessage : message);
}

function fail(flags: Flags, message: string): never {
  throw new AssertionError(flags.message ? `${flags.message}: ${message}` : message);
}

function assertNumeric(value: unknown, name: 'actual' | 'expected'): asserts value is number | bigint {
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new TypeError(`${name} value must be number or bigint, received "${typeof value}"`);
  }
}

function compare(op: string, test: (a: number | bigint, b: number | bigint) => boolean): Matcher {
  return (actual, [expected], flags) => {
    assertNumeric(actual, 'actual');
    assertNumeric(expected, 'expected');
    check(flags, test(actual, expected), `expected ${fmt(actual)} to be ${op} ${fmt(expected)}`, `expected ${fmt(actual)} to be not ${op} ${fmt(expected)}`);
  };
}

/** chai's "type": Symbol.toStringTag, else the Object.prototype.toString tag. */
function chaiType(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  const tag = (value as Record<symbol, unknown>)[Symbol.toStringTag];
  return typeof tag === 'string' ? tag : Object.prototype.toString.call(value).slice(8, -1);
}

// ---- toHaveProperty paths: "a.b[0].c", with "\." "\[" "\]" escaping a literal character ----

type PathPart = { key: string } | { index: number } | { forbidden: true };

function parsePath(path: string): PathPart[] {
  const segments: string[] = [];
  let current = '';
  let started = false;
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch === '\\' && i + 1 < path.length && '.[]'.includes(path[i + 1]!)) {
      current += path[++i];
      started = true;
    } else if (ch === '.') {
      if (started) segments.push(current);
      current = '';
      started = false;
    } else if (ch === '[' && started) {
      segments.push(current);
      current = '[';
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) segments.push(current);
  if (segments.length === 0) throw new TypeError(`toHaveProperty: invalid property path ${JSON.stringify(path)}`);
  return segments.map((segment) => {
    if (segment === 'constructor' || segment === '__proto__' || segment === 'prototype') return { forbidden: true };
    const index = /^\[(\d+)\]$/.exec(segment);
    return index ? { index: Number(index[1]) } : { key: segment };
  });
}

function partKey(part: PathPart): PropertyKey | undefined {
  return 'key' in part ? part.key : 'index' in part ? part.index : undefined;
}

/** Walks the path; stops at the first falsy intermediate value (chai's semantics). */
function walk(obj: unknown, parts: PathPart[]): unknown {
  let value: unknown = obj;
  let result: unknown = null;
  parts.forEach((part, i) => {
    if (!value) return;
    const key = partKey(part);
    value = key === undefined ? undefined : (value as Record<PropertyKey, unknown>)[key];
    if (i === parts.length - 1) result = value;
  });
  return result;
}

function propertyInfo(obj: unknown, path: string): { exists: boolean; value: unknown } {
  const parts = parsePath(path);
  const last = parts[parts.length - 1]!;
  const parent = parts.length > 1 ? walk(obj, parts.slice(0, -1)) : obj;
  const key = partKey(last);
  const exists = parent !== undefined && parent !== null && key !== undefined && key in Object(parent);
  return { exists, value: walk(obj, parts) };
}

// ---- toThrow ----

function thrownMessage(thrown: unknown): string | undefined {
  if (typeof thrown === 'string') return thrown;
  return (thrown as { message?: string } | null | undefined)?.message;
}

function messageMatches(thrown: unknown, matcher: string | RegExp): boolean {
  const message = thrownMessage(thrown);
  if (message === undefined) return false;
  return typeof matcher === 'string' ? message.indexOf(matcher) !== -1 : matcher.test(message);
}

/** toThrow() / toThrow('substring') / toThrow(/regexp/). */
function toThrowMessage(obj: unknown, matcher: string | RegExp | undefined, flags: Flags): void {
  if (typeof obj !== 'function') fail(flags, `expected ${fmt(obj)} to be a function`);
  let threw = false;
  let thrown: unknown;
  try {
    (obj as () => unknown)();
  } catch (err) {
    threw = true;
    thrown = err;
  }
  if (matcher === undefined || !flags.negate) {
    check(flags, threw, `expected function to throw an error, but it didn't`, `expected function to not throw an error but ${fmt(thrown)} was thrown`);
  }
  if (thrown && matcher !== undefined && messageMatches(thrown, matcher) === flags.negate) {
    const how = typeof matcher === 'string' ? 'including' : 'matching';
    fail(
      flags,
      flags.negate
        ? `expected function to throw error not ${how} ${fmt(matcher)}`
        : `expected function to throw error ${how} ${fmt(matcher)} but got ${fmt(thrownMessage(thrown))}`,
    );
  }
}

const toThrow: Matcher = (actual, [expected], flags) => {
  if (typeof expected === 'string' || expected === undefined || expected instanceof RegExp) {
    let obj = actual;
    if (flags.promise === 'rejects') {
      obj = () => {
        throw actual;
      };
    } else if (flags.promise === 'resolves' && typeof actual !== 'function') {
      if (!flags.negate) fail(flags, `expected promise to throw an error, but it didn't`);
      return;
    }
    toThrowMessage(obj, expected === '' ? /^$/ : expected, flags);
    return;
  }
  let thrown: unknown = null;
  if (flags.promise === 'rejects') {
    thrown = actual;
  } else if (flags.promise === 'resolves' && typeof actual !== 'function') {
    if (!flags.negate) fail(flags, `expected promise to throw an error, but it didn't`);
    return;
  } else {
    let threw = false;
    try {
      (actual as () => unknown)();
    } catch (err) {
      threw = true;
      thrown = err;
    }
    if (!threw && !flags.negate) fail(flags, `expected function to throw an error, but it didn't`);
  }
  if (typeof expected === 'function') {
    const name = expected.name || 'the given class';
    check(flags, thrown && thrown instanceof expected, `expected error to be instance of ${name}, got ${fmt(thrown)}`, `expected error not to be instance of ${name}`);
    return;
  }
  if (typeof expected === 'object' && expected !== null && 'asymmetricMatch' in expected) {
    throw new Error('mini-vitest: unsupported: asymmetric matchers in toThrow');
  }
  const what = isError(expected) ? 'a thrown error to be' : 'a thrown value to equal';
  check(flags, equals(thrown, expected, [iterableEquality]), `expected ${what} ${fmt(expected)}, got ${fmt(thrown)}`, `expected ${what.replace(' to ', ' not to ')} ${fmt(expected)}`);
};

// ---- the matcher table ----

const matchers: Record<string, Matcher> = {
  toBe(actual, [expected], flags) {
    let hint = '';
    if (!Object.is(actual, expected)) {
      if (toStrictEqualEquals(actual, expected)) hint = ' (they are deeply equal: use toStrictEqual)';
      else if (toEqualEquals(actual, expected)) hint = ' (they are deeply equal: use toEqual)';
    }
    check(flags, Object.is(actual, expected), `expected ${fmt(actual)} to be ${fmt(expected)} // Object.is equality${hint}`, `expected ${fmt(actual)} not to be ${fmt(expected)} // Object.is equality`);
  },
  toEqual(actual, [expected], flags) {
    check(flags, toEqualEquals(actual, expected), `expected ${fmt(actual)} to deeply equal ${fmt(expected)}`, `expected ${fmt(actual)} to not deeply equal ${fmt(expected)}`);
  },
  toStrictEqual(actual, [expected], flags) {
    check(flags, toStrictEqualEquals(actual, expected), `expected ${fmt(actual)} to strictly equal ${fmt(expected)}`, `expected ${fmt(actual)} to not strictly equal ${fmt(expected)}`);
  },
  toBeCloseTo(actual, [expected, digits], flags) {
    const precision = digits === undefined ? 2 : (digits as number);
    let pass: boolean;
    let allowed = 0;
    let diff = 0;
    if ((expected === Infinity && actual === Infinity) || (expected === -Infinity && actual === -Infinity)) {
      pass = true;
    } else {
      allowed = 10 ** -precision / 2;
      diff = Math.abs((actual as number) - (expected as number));
      pass = diff < allowed;
    }
    check(
      flags,
      pass,
      `expected ${fmt(actual)} to be close to ${fmt(expected)}, received difference is ${diff}, but expected ${allowed}`,
      `expected ${fmt(actual)} to not be close to ${fmt(expected)}, received difference is ${diff}, but expected ${allowed}`,
    );
  },
  toBeGreaterThan: compare('greater than', (a, b) => a > b),
  toBeGreaterThanOrEqual: compare('greater than or equal to', (a, b) => a >= b),
  toBeLessThan: compare('less than', (a, b) => a < b),
  toBeLessThanOrEqual: compare('less than or equal to', (a, b) => a <= b),
  toBeTruthy(actual, _args, flags) {
    check(flags, Boolean(actual), `expected ${fmt(actual)} to be truthy`, `expected ${fmt(actual)} to not be truthy`);
  },
  toBeFalsy(actual, _args, flags) {
    check(flags, !actual, `expected ${fmt(actual)} to be falsy`, `expected ${fmt(actual)} to not be falsy`);
  },
  toBeDefined(actual, _args, flags) {
    check(flags, actual !== undefined, `expected ${fmt(actual)} to be defined`, `expected ${fmt(actual)} to be undefined`);
  },
  toBeUndefined(actual, _args, flags) {
    check(flags, actual === undefined, `expected ${fmt(actual)} to be undefined`, `expected ${fmt(actual)} not to be undefined`);
  },
  toBeNull(actual, _args, flags) {
    check(flags, actual === null, `expected ${fmt(actual)} to be null`, `expected ${fmt(actual)} not to be null`);
  },
  toBeNaN(actual, _args, flags) {
    check(flags, Number.isNaN(actual), `expected ${fmt(actual)} to be NaN`, `expected ${fmt(actual)} not to be NaN`);
  },
  toBeInstanceOf(actual, [ctor], flags) {
    let pass: boolean;
    try {
      pass = actual instanceof (ctor as new () => unknown);
    } catch (err) {
      if (err instanceof TypeError) fail(flags, `toBeInstanceOf needs a constructor but ${chaiType(ctor)} was given`);
      throw err;
    }
    const name = (ctor as { name?: string }).name || 'an unnamed constructor';
    check(flags, pass, `expected ${fmt(actual)} to be an instance of ${name}`, `expected ${fmt(actual)} to not be an instance of ${name}`);
  },
  toContain(actual, [item], flags) {
    if (actual === null || actual === undefined) fail(flags, `toContain: received ${String(actual)}, which cannot contain anything`);
    let pass: boolean;
    if (typeof actual === 'string') pass = actual.indexOf(item as string) !== -1;
    else pass = Array.from(actual as ArrayLike<unknown>).indexOf(item) !== -1;
    check(flags, pass, `expected ${fmt(actual)} to contain ${fmt(item)}`, `expected ${fmt(actual)} not to contain ${fmt(item)}`);
  },
  toHaveLength(actual, [length], flags) {
    const kind = chaiType(actual);
    let count: unknown;
    if (kind === 'Map' || kind === 'Set') {
      count = (actual as { size: number }).size;
    } else {
      if (actual === null || actual === undefined || !('length' in Object(actual))) {
        fail(flags, `expected ${fmt(actual)} to have property "length"`);
      }
      count = (actual as { length: unknown }).length;
    }
    // chai compares loosely: toHaveLength('3') passes on a length of 3.
    // eslint-disable-next-line eqeqeq
    const pass = count == length;
    check(flags, pass, `expected ${fmt(actual)} to have a length of ${fmt(length)} but got ${fmt(count)}`, `expected ${fmt(actual)} to not have a length of ${fmt(count)}`);
  },
  toMatch(actual, [expected], flags) {
    if (typeof actual !== 'string') throw new TypeError(`.toMatch() expects to receive a string, but got ${typeof actual}`);
    const pass = typeof expected === 'string' ? actual.includes(expected) : actual.match(expected as RegExp);
    check(flags, pass, `expected ${fmt(actual)} to match ${fmt(expected)}`, `expected ${fmt(actual)} not to match ${fmt(expected)}`);
  },
  toThrow,
  toThrowError: toThrow,
  toHaveProperty(actual, args, flags) {
    let path = args[0];
    if (Array.isArray(path)) path = path.map((key) => String(key).replace(/([.[\]])/g, '\\$1')).join('.');
    const own = Object.hasOwn(actual as object, path as PropertyKey);
    const info = own
      ? { exists: true, value: (actual as Record<PropertyKey, unknown>)[path as PropertyKey] }
      : propertyInfo(actual, path as string);
    const withValue = args.length > 1;
    const pass = info.exists && (!withValue || equals(args[1], info.value));
    const suffix = withValue ? ` with value ${fmt(args[1])}` : '';
    const got = info.exists ? ` (value: ${fmt(info.value)})` : '';
    check(flags, pass, `expected ${fmt(actual)} to have property "${String(path)}"${suffix}${got}`, `expected ${fmt(actual)} to not have property "${String(path)}"${suffix}`);
  },
};

export const supportedMatchers: readonly string[] = Object.keys(matchers);

// ---- promise assertions (.resolves / .rejects) that the test did not await are awaited when it ends ----

interface PendingAssertion {
  promise: Promise<unknown>;
  awaited: boolean;
  label: string;
}

let pending: PendingAssertion[] = [];

/** Awaits the promise assertions made since the last call; throws the first failure. */
export async function settlePendingAssertions(): Promise<void> {
  const taken = pending;
  pending = [];
  for (const p of taken) {
    if (!p.awaited) console.warn(`mini-vitest: ${p.label} was not awaited; awaiting it at the end of the test. Please await it.`);
  }
  for (const p of taken) await p.promise;
}

function trackAsync(promise: Promise<unknown>, label: string): PromiseLike<unknown> {
  const entry: PendingAssertion = { promise, awaited: false, label };
  promise.catch(() => undefined); // reported when awaited or at the end of the test
  pending.push(entry);
  return {
    then(onFulfilled, onRejected) {
      entry.awaited = true;
      return promise.then(onFulfilled, onRejected);
    },
  };
}

// ---- expect() ----

function unsupported(what: string): never {
  throw new Error(
    `mini-vitest: unsupported ${what}. The Chromium/Deno runs of the GPU suite implement only: ${supportedMatchers.join(', ')}, .not, .resolves, .rejects ` +
      '(test/harness/mini-expect.ts). Use one of those, or add it there with a case in test/node/mini-vitest.test.ts.',
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function runAsync(actual: unknown, name: string, matcher: Matcher, args: unknown[], flags: Flags): PromiseLike<unknown> {
  const label = `expect(actual).${flags.promise}.${flags.negate ? 'not.' : ''}${name}()`;
  const settled =
    flags.promise === 'resolves'
      ? Promise.resolve(actual).then(
          (value) => matcher(value, args, flags),
          (err: unknown) => {
            throw new AssertionError(`promise rejected ${fmt(err)} instead of resolving`, { cause: err });
          },
        )
      : Promise.resolve(actual).then(
          (value) => {
            throw new AssertionError(`promise resolved ${fmt(value)} instead of rejecting`);
          },
          (err: unknown) => matcher(err, args, flags),
        );
  return trackAsync(settled, label);
}

function assertion(actual: unknown, flags: Flags): object {
  return new Proxy(
    {},
    {
      get(_target, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        if (prop === 'not') return assertion(actual, { ...flags, negate: true });
        if (prop === 'resolves' || prop === 'rejects') {
          if (flags.promise) unsupported(`chain .${flags.promise}.${prop}`);
          const target = prop === 'rejects' && typeof actual === 'function' ? (actual as () => unknown)() : actual;
          if (!isThenable(target)) {
            throw new TypeError(`You must provide a Promise to expect() when using .${prop}, not '${typeof target}'.`);
          }
          return assertion(target, { ...flags, promise: prop });
        }
        const matcher = Object.hasOwn(matchers, prop) ? matchers[prop] : undefined;
        if (!matcher) unsupported(`matcher ${prop}`);
        return (...args: unknown[]) => {
          if (flags.promise) return runAsync(actual, prop, matcher, args, flags);
          matcher(actual, args, flags);
          return undefined;
        };
      },
    },
  );
}

/** Properties a function object has; everything else on `expect` (expect.any, expect.assertions...) is unsupported. */
const FUNCTION_PROPS = new Set(['name', 'length', 'call', 'apply', 'bind', 'toString', 'prototype', 'constructor']);

function expectFn(actual: unknown, message?: string): unknown {
  return assertion(actual, message === undefined ? { negate: false } : { negate: false, message });
}

export const expect = new Proxy(expectFn, {
  get(target, prop, receiver) {
    if (typeof prop === 'symbol' || FUNCTION_PROPS.has(prop)) return Reflect.get(target, prop, receiver);
    if (prop === 'then') return undefined;
    return unsupported(`expect.${prop}`);
  },
}) as unknown as MiniExpect;

/** The typed surface: the same names and signatures as vitest's, for the supported subset. */
export interface SyncMatchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toStrictEqual(expected: unknown): void;
  toBeCloseTo(expected: number, numDigits?: number): void;
  toBeGreaterThan(expected: number | bigint): void;
  toBeGreaterThanOrEqual(expected: number | bigint): void;
  toBeLessThan(expected: number | bigint): void;
  toBeLessThanOrEqual(expected: number | bigint): void;
  toBeTruthy(): void;
  toBeFalsy(): void;
  toBeDefined(): void;
  toBeUndefined(): void;
  toBeNull(): void;
  toBeNaN(): void;
  toBeInstanceOf(expected: unknown): void;
  toContain(item: unknown): void;
  toHaveLength(length: number): void;
  toMatch(expected: string | RegExp): void;
  toThrow(expected?: string | RegExp | Error | (new (...args: never[]) => unknown)): void;
  toThrowError(expected?: string | RegExp | Error | (new (...args: never[]) => unknown)): void;
  toHaveProperty(path: string | readonly (string | number)[], value?: unknown): void;
}

export interface Assertion extends SyncMatchers {
  not: Assertion;
  resolves: AsyncAssertion;
  rejects: AsyncAssertion;
}

/** Under .resolves/.rejects every matcher returns a promise. */
export type AsyncAssertion = { [K in keyof SyncMatchers]: (...args: Parameters<SyncMatchers[K]>) => Promise<void> } & {
  not: AsyncAssertion;
};

export type MiniExpect = (actual: unknown, message?: string) => Assertion;
