/**
 * Deep equality with vitest's semantics (`toEqual`, `toStrictEqual`, `toHaveProperty` values,
 * `toThrow(errorInstance)`): Object.is on primitives (NaN equals NaN, 0 differs from -0), class
 * tags must match, `toEqual` ignores undefined-valued properties and object types, iterables
 * (typed arrays, Sets, Maps) compare element-wise and require the same constructor, errors compare
 * name, message, cause and enumerable properties. `toStrictEqual` adds type, sparseness and
 * ArrayBuffer checks. Asymmetric matchers (`expect.any`...) are not supported by mini-vitest.
 */

export type Tester = (a: unknown, b: unknown, testers: Tester[]) => boolean | undefined;
type KeyFilter = (obj: object, key: PropertyKey) => boolean;

type Indexable = Record<PropertyKey, unknown>;

const hasOwnKey: KeyFilter = (obj, key) => Object.hasOwn(obj, key);
const hasDefinedKey: KeyFilter = (obj, key) => Object.hasOwn(obj, key) && (obj as Indexable)[key] !== undefined;

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value);
}

export function isError(value: unknown): value is Error {
  const native = (Error as { isError?: (v: unknown) => boolean }).isError;
  if (typeof native === 'function') return native(value);
  const tag = tagOf(value);
  return tag === '[object Error]' || tag === '[object Exception]' || tag === '[object DOMException]' || value instanceof Error;
}

function isDomNode(value: object): value is { isEqualNode(other: unknown): boolean } {
  const v = value as { nodeType?: unknown; nodeName?: unknown; isEqualNode?: unknown };
  return typeof v.nodeType === 'number' && typeof v.nodeName === 'string' && typeof v.isEqualNode === 'function';
}

function ownKeys(obj: object, filter: KeyFilter): PropertyKey[] {
  const keys: PropertyKey[] = Object.keys(obj).filter((key) => filter(obj, key));
  for (const sym of Object.getOwnPropertySymbols(obj)) {
    if (Object.getOwnPropertyDescriptor(obj, sym)?.enumerable) keys.push(sym);
  }
  return keys;
}

export function equals(a: unknown, b: unknown, testers: Tester[] = [], strict = false): boolean {
  return eq(a, b, [], [], testers, strict ? hasOwnKey : hasDefinedKey);
}

function eq(a: unknown, b: unknown, aStack: unknown[], bStack: unknown[], testers: Tester[], filter: KeyFilter): boolean {
  for (const tester of testers) {
    const verdict = tester(a, b, testers);
    if (verdict !== undefined) return verdict;
  }
  if (typeof URL === 'function' && a instanceof URL && b instanceof URL) return a.href === b.href;
  if (Object.is(a, b)) return true;
  if (a === null || b === null) return a === b;
  const tag = tagOf(a);
  if (tag !== tagOf(b)) return false;
  switch (tag) {
    case '[object Boolean]':
    case '[object String]':
    case '[object Number]':
      if (typeof a !== typeof b) return false;
      if (typeof a !== 'object') return Object.is(a, b);
      return Object.is((a as object).valueOf(), (b as object).valueOf());
    case '[object Date]': {
      const ta = +(a as Date);
      const tb = +(b as Date);
      return ta === tb || (Number.isNaN(ta) && Number.isNaN(tb));
    }
    case '[object RegExp]':
      return (a as RegExp).source === (b as RegExp).source && (a as RegExp).flags === (b as RegExp).flags;
  }
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (isDomNode(a) && isDomNode(b)) return a.isEqualNode(b);

  // Cycles: equal when both sides return to the same depth.
  for (let i = aStack.length - 1; i >= 0; i--) {
    if (aStack[i] === a) return bStack[i] === b;
    if (bStack[i] === b) return false;
  }
  if (tag === '[object Array]' && (a as unknown[]).length !== (b as unknown[]).length) return false;

  aStack.push(a);
  bStack.push(b);
  try {
    if (isError(a) && isError(b)) return errorsEqual(a, b, aStack, bStack, testers, filter);
    const keys = ownKeys(a, filter);
    if (ownKeys(b, filter).length !== keys.length) return false;
    for (const key of keys) {
      if (!filter(b, key)) return false;
      if (!eq((a as Indexable)[key], (b as Indexable)[key], aStack, bStack, testers, filter)) return false;
    }
    return true;
  } finally {
    aStack.pop();
    bStack.pop();
  }
}

function errorsEqual(a: Error, b: Error, aStack: unknown[], bStack: unknown[], testers: Tester[], filter: KeyFilter): boolean {
  if (tagOf(a) !== tagOf(b) || a.name !== b.name || a.message !== b.message) return false;
  const causeB = (b as { cause?: unknown }).cause;
  if (causeB !== undefined && !eq((a as { cause?: unknown }).cause, causeB, aStack, bStack, testers, filter)) return false;
  if (typeof AggregateError === 'function' && a instanceof AggregateError && b instanceof AggregateError) {
    if (!eq(a.errors, b.errors, aStack, bStack, testers, filter)) return false;
  }
  return eq({ ...a }, { ...b }, aStack, bStack, testers, filter);
}

function isIterableObject(value: unknown): value is Iterable<unknown> & object {
  return typeof value === 'object' && value !== null && typeof (value as Indexable)[Symbol.iterator] === 'function';
}

function isIndexKey(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

/** Non-array iterables: same constructor, same elements in order (Sets and Maps: in any order), same own properties. */
export const iterableEquality: Tester = (a, b, testers) => iterableEqualityWithStack(a, b, testers, [], []);

function iterableEqualityWithStack(a: unknown, b: unknown, testers: Tester[], aStack: unknown[], bStack: unknown[]): boolean | undefined {
  if (Array.isArray(a) || Array.isArray(b) || !isIterableObject(a) || !isIterableObject(b)) return undefined;
  if (a.constructor !== b.constructor) return false;
  for (let i = aStack.length - 1; i >= 0; i--) {
    if (aStack[i] === a) return bStack[i] === b;
  }
  const innerStackA = [...aStack, a];
  const innerStackB = [...bStack, b];
  const nested: Tester = (x, y) => iterableEqualityWithStack(x, y, testers, innerStackA, innerStackB);
  const inner = [...testers.filter((t) => t !== iterableEquality), nested];

  const size = (a as { size?: unknown }).size;
  if (size !== undefined) {
    if (size !== (b as { size?: unknown }).size) return false;
    if (a instanceof Set && b instanceof Set) {
      for (const value of a) {
        if (!b.has(value) && ![...b].some((other) => equals(value, other, inner))) return false;
      }
      return true;
    }
    if (a instanceof Map && b instanceof Map) {
      for (const [key, value] of a) {
        if (b.has(key) && equals(value, b.get(key), inner)) continue;
        if (![...b].some(([k, v]) => equals(key, k, inner) && equals(value, v, inner))) return false;
      }
      return true;
    }
  }
  const itB = b[Symbol.iterator]();
  for (const value of a) {
    const next = itB.next();
    if (next.done || !equals(value, next.value, inner)) return false;
  }
  if (!itB.next().done) return false;
  // Own enumerable properties besides the elements (typed arrays' indices were compared above).
  const skipIndices = ArrayBuffer.isView(a);
  const extra = (o: object) => Object.entries(o).filter(([k]) => !(skipIndices && isIndexKey(k)));
  return equals(extra(a), extra(b), inner);
}

/** toStrictEqual: both sides must have the same constructor. */
export const typeEquality: Tester = (a, b) => {
  if (a == null || b == null || (a as object).constructor === (b as object).constructor) return undefined;
  return false;
};

/** toStrictEqual: `[, 1]` differs from `[undefined, 1]`. */
export const sparseArrayEquality: Tester = (a, b, testers) => {
  if (!Array.isArray(a) || !Array.isArray(b)) return undefined;
  const rest = testers.filter((t) => t !== sparseArrayEquality);
  return equals(a, b, rest, true) && equals(Object.keys(a), Object.keys(b));
};

/** toStrictEqual: ArrayBuffers and DataViews compare byte by byte. */
export const arrayBufferEquality: Tester = (a, b) => {
  let va: DataView;
  let vb: DataView;
  if (a instanceof DataView && b instanceof DataView) {
    va = a;
    vb = b;
  } else if (a instanceof ArrayBuffer && b instanceof ArrayBuffer) {
    va = new DataView(a);
    vb = new DataView(b);
  } else {
    return undefined;
  }
  if (va.byteLength !== vb.byteLength) return false;
  for (let i = 0; i < va.byteLength; i++) if (va.getUint8(i) !== vb.getUint8(i)) return false;
  return true;
};

export function toEqualEquals(actual: unknown, expected: unknown): boolean {
  return equals(actual, expected, [iterableEquality]);
}

export function toStrictEqualEquals(actual: unknown, expected: unknown): boolean {
  return equals(actual, expected, [iterableEquality, typeEquality, sparseArrayEquality, arrayBufferEquality], true);
}
