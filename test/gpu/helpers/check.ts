/**
 * Comparing GPU results with the float64 reference, with few readbacks: a readback costs a
 * submit-and-wait round trip (~2.4 ms in Chromium, ~11 ms in Deno), so tests queue many checks
 * and read every tensor in one batch (`Checks.run`).
 */
import * as ps from 'perturbset';
import { unravel, type Arr } from './ref.js';

export interface Tolerance {
  /** Relative tolerance: |actual - expected| ≤ atol + rtol·|expected|. */
  rtol?: number;
  atol?: number;
}

const fmt = (v: number): string => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v));

/**
 * Throws an Error naming the first index (and multi-index when `shape` is given) whose value is
 * out of tolerance, the values, and how many elements failed. NaN must match NaN; ±Infinity must
 * match exactly.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance & { what?: string; shape?: readonly number[] } = {},
): void {
  const what = tol.what ?? 'values';
  const rtol = tol.rtol ?? 1e-6;
  const atol = tol.atol ?? 1e-6;
  if (actual.length !== expected.length) throw new Error(`${what}: got ${actual.length} values, expected ${expected.length}`);
  let bad = 0;
  let first = -1;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    let ok: boolean;
    if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
    else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
    else {
      const err = Math.abs(a - e);
      ok = err <= atol + rtol * Math.abs(e);
      if (!ok) worst = Math.max(worst, err);
    }
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    const a = actual[first]!;
    const e = expected[first]!;
    const where = tol.shape ? ` (index [${unravel(first, tol.shape).join(',')}])` : '';
    throw new Error(
      `${what}: element ${first}${where} is ${fmt(a)}, expected ${fmt(e)} (|diff| ${fmt(Math.abs(a - e))} > ${atol} + ${rtol}·|expected|); ` +
        `${bad} of ${actual.length} elements out of tolerance, worst |diff| ${worst}`,
    );
  }
}

export function expectShape(t: ps.Tensor, shape: readonly number[], what = 'tensor'): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: shape [${t.shape.join(',')}], expected [${shape.join(',')}]`);
  }
}

/** A float32 tensor holding an Arr (its values must already be float32-representable to be exact). */
export function toTensor(a: Arr, dtype: ps.DType = 'float32'): ps.Tensor {
  return ps.tensor(dtype === 'int32' ? Int32Array.from(a.data) : Float32Array.from(a.data), a.shape, dtype);
}

/** Reads tensors back in one batch (all copies submitted before any wait). */
export async function readAll(tensors: readonly ps.Tensor[]): Promise<Float64Array[]> {
  const data = await Promise.all(tensors.map((t) => t.data()));
  return data.map((d) => Float64Array.from(d));
}

export async function read(t: ps.Tensor): Promise<Float64Array> {
  return (await readAll([t]))[0]!;
}

interface Check {
  tensors: ps.Tensor[];
  verify: (values: Float64Array[]) => void;
}

const isArr = (v: unknown): v is Arr => typeof v === 'object' && v !== null && 'shape' in v && 'data' in v;

/**
 * Queued comparisons: `add` keeps the tensor (outside any tidy), `run` reads everything in one
 * batch, disposes the tensors and throws one Error listing every failure.
 */
export class Checks {
  private readonly checks: Check[] = [];

  /** `tensor` ≈ `expected` (an Arr also fixes the shape). */
  add(what: string, tensor: ps.Tensor, expected: Arr | ArrayLike<number>, tol: Tolerance & { dtype?: ps.DType } = {}): void {
    this.fn([tensor], ([values]) => {
      if (isArr(expected) && (expected.shape.length !== tensor.shape.length || expected.shape.some((d, k) => d !== tensor.shape[k]))) {
        throw new Error(`${what}: shape [${tensor.shape.join(',')}], expected [${expected.shape.join(',')}]`);
      }
      if (tol.dtype && tensor.dtype !== tol.dtype) throw new Error(`${what}: dtype ${tensor.dtype}, expected ${tol.dtype}`);
      expectClose(values!, isArr(expected) ? expected.data : expected, { ...tol, what, shape: tensor.shape });
    });
  }

  /** A custom check over the values of several tensors; `verify` throws to fail. */
  fn(tensors: readonly ps.Tensor[], verify: (values: Float64Array[]) => void): void {
    this.checks.push({ tensors: tensors.map((t) => ps.keep(t)), verify });
  }

  get size(): number {
    return this.checks.length;
  }

  async run(): Promise<void> {
    const checks = this.checks.splice(0);
    const all = checks.flatMap((c) => c.tensors);
    let values: Float64Array[];
    try {
      values = await readAll(all);
    } finally {
      // A tensor may appear in several checks: dispose each once.
      for (const t of new Set(all)) t.dispose();
    }
    const failures: string[] = [];
    let at = 0;
    for (const c of checks) {
      const mine = values.slice(at, at + c.tensors.length);
      at += c.tensors.length;
      try {
        c.verify(mine);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    if (failures.length > 0) {
      throw new Error(`${failures.length} of ${checks.length} checks failed:\n  ${failures.slice(0, 12).join('\n  ')}${failures.length > 12 ? '\n  …' : ''}`);
    }
  }
}

/** Runs `fn` and returns the Error it throws (failing if it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw new Error(`expected an Error, got a thrown ${typeof err}: ${String(err)}`);
  }
  throw new Error('expected the call to throw, but it returned');
}
