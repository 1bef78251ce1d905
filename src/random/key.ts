import { STREAM_FOLD, STREAM_SPLIT, philox4x32 } from './philox.js';

/**
 * A PRNG key (JAX style): two uint32 words. Keys are plain immutable values; derive new ones with
 * `split` or `foldIn`, never reuse one key for two independent draws.
 */
export class Key {
  readonly k0: number;
  readonly k1: number;
  constructor(k0: number, k1: number) {
    this.k0 = k0 >>> 0;
    this.k1 = k1 >>> 0;
    Object.freeze(this);
  }
  toString(): string {
    return `Key(${this.k0}, ${this.k1})`;
  }
}

/** A key from an integer seed in [0, 2^53). */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`random.key: seed must be an integer in [0, 2^53), got ${seed}`);
  }
  return new Key(Math.floor(seed / 4294967296), seed >>> 0);
}

export function assertKey(op: string, k: unknown): asserts k is Key {
  if (!(k instanceof Key)) {
    throw new TypeError(`${op}: expected a random key (ps.random.key(seed)), got ${describeValue(k)}`);
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${String(v)}`;
}

/** `n` new independent keys derived from `k` (default 2). */
export function split(k: Key, n = 2): Key[] {
  assertKey('random.split', k);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`random.split: n must be a positive integer, got ${n}`);
  const out: Key[] = [];
  const words = new Uint32Array(4);
  for (let i = 0; i < n; i++) {
    philox4x32(i, 0, 0, STREAM_SPLIT, k.k0, k.k1, words);
    out.push(new Key(words[0]!, words[1]!));
  }
  return out;
}

/** A new key derived from `k` and a uint32 `data` (e.g. a step or example index). */
export function foldIn(k: Key, data: number): Key {
  assertKey('random.foldIn', k);
  if (!Number.isInteger(data) || data < 0 || data > 0xffffffff) {
    throw new RangeError(`random.foldIn: data must be an integer in [0, 2^32), got ${data}`);
  }
  const words = philox4x32(data, 0, 0, STREAM_FOLD, k.k0, k.k1);
  return new Key(words[0]!, words[1]!);
}
