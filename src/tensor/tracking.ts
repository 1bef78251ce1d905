import { runtime, hasRuntime } from '../gpu/runtime.js';
import type { Tensor } from './tensor.js';

/**
 * Explicit memory management (TF.js style): every tensor created inside `tidy(fn)` is disposed
 * when fn returns, except the tensors fn returns (which move to the enclosing scope) and those
 * passed to `keep`. Nothing relies on the garbage collector to free GPU memory.
 */

type Scope = Set<Tensor>;
const scopes: Scope[] = [];
const scopeOf = new WeakMap<Tensor, Scope>();
let liveTensors = 0;

export function trackTensor(t: Tensor): void {
  liveTensors++;
  const scope = scopes[scopes.length - 1];
  if (scope) {
    scope.add(t);
    scopeOf.set(t, scope);
  }
}

export function untrackTensor(t: Tensor): void {
  liveTensors--;
  const scope = scopeOf.get(t);
  if (scope) {
    scope.delete(t);
    scopeOf.delete(t);
  }
}

/** Exempts `t` from every enclosing `tidy`; it lives until `t.dispose()`. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  const scope = scopeOf.get(t);
  if (scope) {
    scope.delete(t);
    scopeOf.delete(t);
  }
  return t;
}

/** Calls every tensor found in a (nested array / plain object / Map) value. */
export function forEachTensor(value: unknown, fn: (t: Tensor) => void, isTensor: (v: unknown) => v is Tensor, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (isTensor(value)) {
    fn(value);
  } else if (Array.isArray(value)) {
    for (const v of value) forEachTensor(v, fn, isTensor, seen);
  } else if (value instanceof Map) {
    for (const v of value.values()) forEachTensor(v, fn, isTensor, seen);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) forEachTensor(v, fn, isTensor, seen);
  }
}

let isTensorFn: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
export function registerTensorClass(check: (v: unknown) => v is Tensor): void {
  isTensorFn = check;
}

export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new TypeError('tidy: expected a function');
  const scope: Scope = new Set();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    popScope(scope, new Set());
    throw err;
  }
  if (result instanceof Promise) {
    popScope(scope, new Set());
    throw new Error('tidy: fn must be synchronous (it returned a Promise); await outside tidy and keep() what you need');
  }
  const kept = new Set<Tensor>();
  forEachTensor(result, (t) => kept.add(t), isTensorFn);
  popScope(scope, kept);
  return result;
}

function popScope(scope: Scope, kept: Set<Tensor>): void {
  const index = scopes.lastIndexOf(scope);
  scopes.splice(index, 1);
  const parent = scopes[scopes.length - 1];
  for (const t of [...scope]) {
    if (kept.has(t)) {
      scope.delete(t);
      if (parent) {
        parent.add(t);
        scopeOf.set(t, parent);
      } else {
        scopeOf.delete(t);
      }
    } else {
      t.dispose();
    }
  }
}

export interface MemoryInfo {
  /** Live (not disposed) tensors. */
  tensors: number;
  /** GPU buffers in use (held by tensors, or by work not yet submitted). */
  buffers: number;
  /** Bytes of those buffers. */
  bytes: number;
  /** Idle buffers kept for reuse, and their bytes. */
  pooledBuffers: number;
  pooledBytes: number;
}

export function memory(): MemoryInfo {
  if (!hasRuntime()) return { tensors: liveTensors, buffers: 0, bytes: 0, pooledBuffers: 0, pooledBytes: 0 };
  const pool = runtime().pool;
  return {
    tensors: liveTensors,
    buffers: pool.inUseBuffers,
    bytes: pool.inUseBytes,
    pooledBuffers: pool.pooledBuffers,
    pooledBytes: pool.pooledBytes,
  };
}
