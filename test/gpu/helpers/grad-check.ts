/**
 * Gradient checks. The trusted gradient is a float64 one on the CPU: central finite differences
 * of the float64 reference loss (step ~1e-6, so truncation and rounding errors are ~1e-9 — far
 * below float32 noise), or an analytic float64 gradient that is itself validated against those
 * finite differences on sampled coordinates. The GPU's reverse-mode gradient (float32) is compared
 * with it tightly. Optionally, finite differences of the GPU function itself (float32, step ~1e-2)
 * check the GPU gradient against the GPU forward with a loose tolerance.
 */
import * as ps from 'perturbset';
import { Checks, expectClose, toTensor, type Tolerance } from './check.js';
import type { Arr } from './ref.js';
import { Rng } from './rng.js';

export interface GradCase {
  what: string;
  /** Input values (float32-representable). */
  inputs: readonly Arr[];
  /** dtype per input (default float32); int32 inputs are never differentiated. */
  dtypes?: readonly ps.DType[];
  /** The scalar loss on the GPU. */
  gpu: (...xs: ps.Tensor[]) => ps.Tensor;
  /** The same loss in float64. */
  cpu: (...xs: Arr[]) => number;
  /** Analytic float64 gradients of `cpu` w.r.t. every input in `wrt` (in that order). */
  cpuGrad?: (...xs: Arr[]) => Arr[];
  /** Inputs to differentiate (default: all float32 inputs). */
  wrt?: readonly number[];
  /** Gradient tolerance; atol defaults to rtol · max |expected gradient| (float32 accumulation). */
  tol?: Tolerance;
  valueTol?: Tolerance;
  /** Coordinates per input checked by CPU finite differences when `cpuGrad` is given (default 16). */
  fdSample?: number;
  /** Also finite-difference the GPU function at this many coordinates per input. */
  gpuFd?: { samples: number; eps?: number; rtol?: number };
}

/** Central difference of `f` at coordinate j of input i, in float64. */
function centralDifference(cpu: (...xs: Arr[]) => number, inputs: readonly Arr[], i: number, j: number, rel = 1e-6): number {
  const x = inputs[i]!;
  const x0 = x.data[j]!;
  const h = rel * Math.max(1, Math.abs(x0));
  const shifted = (v: number): number => {
    const data = Float64Array.from(x.data);
    data[j] = v;
    const args = inputs.map((a, k) => (k === i ? { data, shape: a.shape } : a));
    return cpu(...args);
  };
  return (shifted(x0 + h) - shifted(x0 - h)) / (2 * h);
}

function sampleIndices(n: number, count: number, rng: Rng): number[] {
  if (count >= n) return Array.from({ length: n }, (_, k) => k);
  const picked = new Set<number>([0, n - 1]);
  while (picked.size < count) picked.add(rng.int(0, n));
  return [...picked].sort((a, b) => a - b);
}

/** The float64 gradient of every input in `wrt`: analytic (validated by sampled FD) or full FD. */
export function referenceGrads(c: GradCase, wrt: readonly number[]): Arr[] {
  if (!c.cpuGrad) {
    return wrt.map((i) => {
      const x = c.inputs[i]!;
      const data = new Float64Array(x.data.length);
      for (let j = 0; j < data.length; j++) data[j] = centralDifference(c.cpu, c.inputs, i, j);
      return { data, shape: [...x.shape] };
    });
  }
  const grads = c.cpuGrad(...c.inputs);
  const rng = new Rng(12345);
  wrt.forEach((i, k) => {
    const g = grads[k]!;
    const idx = sampleIndices(g.data.length, c.fdSample ?? 16, rng);
    const scale = Math.max(1e-12, ...Array.from(g.data, Math.abs));
    expectClose(
      idx.map((j) => g.data[j]!),
      idx.map((j) => centralDifference(c.cpu, c.inputs, i, j)),
      { rtol: 1e-6, atol: 1e-6 * scale, what: `${c.what}: the CPU reference gradient of input ${i} disagrees with its finite differences (test bug)` },
    );
  });
  return grads;
}

/**
 * Queues, on `checks`: the GPU loss value vs the float64 loss, every GPU gradient vs the float64
 * gradient, and (with `gpuFd`) GPU finite differences vs the GPU gradient.
 */
export function gradCheck(checks: Checks, c: GradCase): void {
  const dtypes = c.dtypes ?? c.inputs.map(() => 'float32' as const);
  const wrt = c.wrt ?? c.inputs.map((_, i) => i).filter((i) => dtypes[i] === 'float32');
  const expected = referenceGrads(c, wrt);
  const tensors = c.inputs.map((a, i) => toTensor(a, dtypes[i]));
  const [value, grads] = ps.valueAndGrad(c.gpu, { argnums: [...wrt] })(...tensors) as [ps.Tensor, ps.Tensor[]];
  checks.add(`${c.what}: loss`, value, [c.cpu(...c.inputs)], c.valueTol ?? { rtol: 1e-5, atol: 1e-6 });
  wrt.forEach((i, k) => {
    const e = expected[k]!;
    const rtol = c.tol?.rtol ?? 1e-5;
    const scale = Math.max(...Array.from(e.data, Math.abs), 0);
    checks.add(`${c.what}: gradient of input ${i}`, grads[k]!, e, { rtol, atol: c.tol?.atol ?? rtol * scale + 1e-30 });
  });

  if (c.gpuFd) {
    const { samples, eps = 1e-2, rtol = 3e-2 } = c.gpuFd;
    const rng = new Rng(777);
    wrt.forEach((i, k) => {
      const x = c.inputs[i]!;
      const idx = sampleIndices(x.data.length, samples, rng);
      const evals: ps.Tensor[] = [];
      const steps: number[] = [];
      for (const j of idx) {
        const x0 = x.data[j]!;
        const h = eps * Math.max(1, Math.abs(x0));
        const up = Math.fround(x0 + h);
        const down = Math.fround(x0 - h);
        steps.push(up - down);
        for (const v of [up, down]) {
          const data = Float64Array.from(x.data);
          data[j] = v;
          evals.push(
            ps.tidy(() => ps.noGrad(() => c.gpu(...tensors.map((t, m) => (m === i ? toTensor({ data, shape: x.shape }) : t))))),
          );
        }
      }
      const g = grads[k]!;
      checks.fn([g, ...evals], ([gv, ...fv]) => {
        const fd = idx.map((_, s) => (fv[2 * s]![0]! - fv[2 * s + 1]![0]!) / steps[s]!);
        const scale = Math.max(...Array.from(gv!, Math.abs));
        expectClose(
          idx.map((j) => gv![j]!),
          fd,
          { rtol, atol: rtol * scale, what: `${c.what}: GPU gradient of input ${i} vs finite differences of the GPU loss (eps ${eps}) at indices ${idx.join(',')}` },
        );
      });
    });
  }
  for (const t of tensors) t.dispose();
}
