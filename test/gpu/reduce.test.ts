// Reductions against the float64 reference: sum/mean/max/min/argmax/argmin over single axes, axis
// lists (adjacent and not), negative axes, keepdims, all axes; the two-pass path for long rows with
// few outputs; ties (argmax takes the first index, max's gradient is shared); int32 sums.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, toTensor } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import * as ref from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

type Arr = ref.Arr;
type Kind = 'sum' | 'mean' | 'max' | 'min';
type Axes = number | number[] | undefined;

beforeAll(async () => {
  await ps.init();
});

const KINDS: Kind[] = ['sum', 'mean', 'max', 'min'];
const keptShape = (shape: readonly number[], axes: Axes): number[] => {
  const ax = ref.normAxes(axes, shape.length);
  return shape.map((d, i) => (ax.includes(i) ? 1 : d));
};

/** Float64 gradient of Σ w·reduce(x) w.r.t. x (max/min: shared equally among ties). */
function reduceGrad(x: Arr, kind: Kind, axes: Axes, w: Arr): Arr {
  const kept = keptShape(x.shape, axes);
  const wk: Arr = { data: w.data, shape: kept };
  const count = ref.sizeOf(x.shape) / ref.sizeOf(kept);
  if (kind === 'sum') return ref.broadcastTo(wk, x.shape);
  if (kind === 'mean') return ref.map1(ref.broadcastTo(wk, x.shape), (v) => v / count);
  const ext: Arr = { data: ref.reduce(x, kind, axes).data, shape: kept };
  const mask = ref.map2(x, ext, (v, e) => (v === e ? 1 : 0));
  const ties: Arr = { data: ref.reduce(mask, 'sum', axes).data, shape: kept };
  return ref.mapN([mask, wk, ties], (m, wv, n) => (m * wv) / n);
}

/** Queues forward (keepdims both ways) and the gradient of one reduction. */
function checkReduction(checks: Checks, rng: Rng, x: Arr, kind: Kind, axes: Axes, what: string, tol = { rtol: 2e-6, atol: 2e-6 }): void {
  const fn = ps[kind];
  const expected = ref.reduce(x, kind, axes);
  checks.add(`${what} ${kind}`, fn(toTensor(x), axes), expected, tol);
  checks.add(`${what} ${kind} keepdims`, fn(toTensor(x), axes, true), ref.reduce(x, kind, axes, true), tol);
  const w = rng.array(expected.shape);
  gradCheck(checks, {
    what: `${what} ${kind}`,
    inputs: [x],
    gpu: (t) => ps.sum(ps.mul(fn(t, axes), toTensor(w))),
    cpu: (a) => ref.dot(ref.reduce(a, kind, axes).data, w.data),
    cpuGrad: (a) => [reduceGrad(a, kind, axes, w)],
    valueTol: { rtol: 1e-5, atol: 1e-5 },
    fdSample: 6,
  });
}

describe('sum / mean / max / min', () => {
  it('over each single axis of [5,7,9], negative axes, keepdims, with gradients', async () => {
    const rng = new Rng(1);
    const x = rng.array([5, 7, 9], -2, 2);
    const checks = new Checks();
    ps.tidy(() => {
      for (const kind of KINDS) for (const axis of [0, 1, 2, -1, -3]) checkReduction(checks, rng, x, kind, axis, `axis ${axis}`);
    });
    await checks.run();
  });

  it('over axis lists of [3,4,5,6]: adjacent, non-adjacent, unsorted, negative', async () => {
    const rng = new Rng(2);
    const x = rng.array([3, 4, 5, 6], -2, 2);
    const checks = new Checks();
    ps.tidy(() => {
      for (const kind of KINDS) {
        for (const axes of [[0, 1], [2, 3], [0, 2], [1, 3], [0, 2, 3], [3, 0], [-1, -3], [0, 1, 3]]) {
          checkReduction(checks, rng, x, kind, axes, `axes [${axes}]`);
        }
      }
    });
    await checks.run();
  });

  it('over all axes (no axis, and every axis listed), a scalar result', async () => {
    const rng = new Rng(3);
    const x = rng.array([6, 11, 3], -2, 2);
    const checks = new Checks();
    ps.tidy(() => {
      for (const kind of KINDS) {
        checkReduction(checks, rng, x, kind, undefined, 'all axes');
        checkReduction(checks, rng, x, kind, [0, 1, 2], 'axes [0,1,2]');
      }
      const s = ps.sum(toTensor(x));
      expect(s.shape).toEqual([]);
      expect(ps.mean(toTensor(x), undefined, true).shape).toEqual([1, 1, 1]);
    });
    await checks.run();
  });

  it('method forms x.sum / x.mean / x.max / x.min', async () => {
    const x = ref.arr([1, 5, 2, 4, 3, 0], [2, 3]);
    const checks = new Checks();
    ps.tidy(() => {
      const t = toTensor(x);
      checks.add('x.sum(1)', t.sum(1), [8, 7]);
      checks.add('x.mean(0, true)', t.mean(0, true), ref.arr([2.5, 4, 1], [1, 3]));
      checks.add('x.max()', t.max(), ref.arr([5], []));
      checks.add('x.min(-1)', t.min(-1), [1, 0]);
    });
    await checks.run();
  });
});

describe('two-pass reductions (long rows, few outputs)', () => {
  it('[3, 100003] over axis 1: sum, mean, max, min, argmax, argmin and gradients', async () => {
    const rng = new Rng(4);
    const x = rng.array([3, 100003], 0, 1);
    // Plant extremes near the end of row 0 (last chunk), the middle of row 1, and the start of row 2.
    const plant = (row: number, col: number, v: number) => (x.data[row * 100003 + col] = v);
    plant(0, 100001, 7);
    plant(0, 99000, -3);
    plant(1, 51234, 9);
    plant(1, 1, -4);
    plant(2, 0, 8);
    plant(2, 100002, -5);
    const checks = new Checks();
    const sums = ref.reduce(x, 'sum', 1);
    ps.tidy(() => {
      const t = toTensor(x);
      // float32 partial sums of ~50,000: relative error ~1e-7·log(n).
      checks.add('sum', ps.sum(t, 1), sums, { rtol: 1e-5, atol: 0 });
      checks.add('mean', ps.mean(t, 1), ref.map1(sums, (v) => v / 100003), { rtol: 1e-5, atol: 0 });
      checks.add('max', ps.max(t, 1), [7, 9, 8]);
      checks.add('min', ps.min(t, -1), [-3, -4, -5]);
      checks.add('argmax', ps.argmax(t, 1), [100001, 51234, 0], { rtol: 0, atol: 0, dtype: 'int32' });
      checks.add('argmin', ps.argmin(t, 1), [99000, 1, 100002], { rtol: 0, atol: 0, dtype: 'int32' });
      checks.add('sum of everything', ps.sum(t), [sums.data[0]! + sums.data[1]! + sums.data[2]!], { rtol: 1e-5, atol: 0 });
      checks.add('max of everything', ps.max(t), [9]);
      checks.add('argmax of everything', ps.argmax(t), [100003 + 51234], { rtol: 0, atol: 0, dtype: 'int32' });
      // Gradients: mean spreads 1/n, max is one-hot at the planted maximum.
      const gMean = ps.grad((v: ps.Tensor) => ps.sum(ps.mean(v, 1)))(t) as ps.Tensor;
      checks.fn([gMean], ([g]) => {
        for (let i = 0; i < g!.length; i += 997) if (Math.abs(g![i]! - 1 / 100003) > 1e-12) throw new Error(`mean grad at ${i}: ${g![i]}`);
      });
      const gMax = ps.grad((v: ps.Tensor) => ps.sum(ps.mul(ps.max(v, 1), ps.tensor([1, 2, 3]))))(t) as ps.Tensor;
      checks.fn([gMax], ([g]) => {
        const hot = new Map([[100001, 1], [100003 + 51234, 2], [2 * 100003, 3]]);
        for (let i = 0; i < g!.length; i++) {
          if (g![i] !== (hot.get(i) ?? 0)) throw new Error(`max grad at ${i}: ${g![i]}, expected ${hot.get(i) ?? 0}`);
        }
      });
    });
    await checks.run();
  });

  it('[5000, 3] over axis 0 (two passes with inner > 1), [4099] sum/max, and a mean of 2^20 elements', async () => {
    const rng = new Rng(5);
    const x = rng.array([5000, 3], -1, 1);
    const v = rng.array([4099], -1, 1);
    const checks = new Checks();
    ps.tidy(() => {
      const t = toTensor(x);
      checks.add('sum axis 0', ps.sum(t, 0), ref.reduce(x, 'sum', 0), { rtol: 1e-5, atol: 1e-4 });
      checks.add('mean axis 0 keepdims', ps.mean(t, 0, true), ref.reduce(x, 'mean', 0, true), { rtol: 1e-5, atol: 1e-7 });
      checks.add('max axis 0', ps.max(t, 0), ref.reduce(x, 'max', 0));
      checks.add('min axis 0', ps.min(t, 0), ref.reduce(x, 'min', 0));
      checks.add('argmax axis 0', ps.argmax(t, 0), ref.reduce(x, 'argmax', 0), { dtype: 'int32' });
      checks.add('sum [4099]', ps.sum(toTensor(v)), ref.reduce(v, 'sum'), { rtol: 1e-5, atol: 1e-4 });
      checks.add('max [4099]', ps.max(toTensor(v)), ref.reduce(v, 'max'));
      const ones = ps.ones([1024, 1024]);
      checks.add('mean of 2^20 ones', ps.mean(ones), [1], { rtol: 1e-6, atol: 0 });
      checks.add('sum of 2^20 ones', ps.sum(ones), [1048576], { rtol: 0, atol: 0 });
    });
    await checks.run();
  });
});

describe('argmax / argmin', () => {
  it('along each axis, keepdims, flattened; first index on ties', async () => {
    const rng = new Rng(6);
    // Small integers: plenty of ties.
    const x = rng.intArray([4, 6, 5], 0, 4);
    const checks = new Checks();
    ps.tidy(() => {
      for (const op of ['argmax', 'argmin'] as const) {
        for (const axis of [0, 1, 2, -1]) {
          checks.add(`${op} axis ${axis}`, ps[op](toTensor(x), axis), ref.reduce(x, op, axis), { rtol: 0, atol: 0, dtype: 'int32' });
          checks.add(`${op} axis ${axis} keepdims`, ps[op](toTensor(x), axis, true), ref.reduce(x, op, axis, true), { rtol: 0, atol: 0, dtype: 'int32' });
          checks.add(`${op} int32 axis ${axis}`, ps[op](toTensor(x, 'int32'), axis), ref.reduce(x, op, axis), { rtol: 0, atol: 0, dtype: 'int32' });
        }
        const flat = ref.reduce({ data: x.data, shape: [x.data.length] }, op, 0);
        checks.add(`${op} flattened`, ps[op](toTensor(x)), ref.arr(flat.data, []), { rtol: 0, atol: 0, dtype: 'int32' });
        checks.add(`${op} flattened keepdims`, ps[op](toTensor(x), undefined, true), ref.arr(flat.data, [1, 1, 1]), { rtol: 0, atol: 0 });
      }
      checks.add('argmax [1,3,3,2]', ps.argmax(ps.tensor([1, 3, 3, 2])), [1], { rtol: 0, atol: 0 });
      checks.add('argmin [2,0,5,0]', ps.argmin(ps.tensor([2, 0, 5, 0])), [1], { rtol: 0, atol: 0 });
      checks.add('x.argmax(1)', ps.tensor([[0, 9, 9], [4, 4, 1]]).argmax(1), [1, 0], { rtol: 0, atol: 0 });
    });
    await checks.run();
  });
});

describe('ties and integers', () => {
  it('max/min gradients are shared equally among ties', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = ps.tensor([[1, 3, 3, 2], [5, 5, 5, 0], [-1, -2, -2, -2]]);
      checks.add('max all', ps.grad((t: ps.Tensor) => ps.max(t))(x) as ps.Tensor, [0, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 0]);
      checks.add('max rows', ps.grad((t: ps.Tensor) => ps.sum(ps.max(t, 1)))(x) as ps.Tensor, [0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3, 0, 1, 0, 0, 0]);
      checks.add('min rows', ps.grad((t: ps.Tensor) => ps.sum(ps.min(t, 1)))(x) as ps.Tensor, [1, 0, 0, 0, 0, 0, 0, 1, 0, 1 / 3, 1 / 3, 1 / 3]);
      checks.add('min columns', ps.grad((t: ps.Tensor) => ps.sum(ps.min(t, 0)))(x) as ps.Tensor, [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    });
    await checks.run();
  });

  it('int32 sums are exact, including the two-pass path; int32 max/min; mean of int32 is a TypeError', async () => {
    const rng = new Rng(7);
    const x = rng.intArray([7, 9], -1000, 1000);
    const long = rng.intArray([2, 60001], 0, 10000);
    const checks = new Checks();
    const exact = { rtol: 0, atol: 0, dtype: 'int32' as const };
    ps.tidy(() => {
      const t = toTensor(x, 'int32');
      checks.add('int sum axis 0', ps.sum(t, 0), ref.reduce(x, 'sum', 0), exact);
      checks.add('int sum axis 1 keepdims', ps.sum(t, 1, true), ref.reduce(x, 'sum', 1, true), exact);
      checks.add('int sum all', ps.sum(t), ref.reduce(x, 'sum'), exact);
      checks.add('int max axis 1', ps.max(t, 1), ref.reduce(x, 'max', 1), exact);
      checks.add('int min all', ps.min(t), ref.reduce(x, 'min'), exact);
      const lt = toTensor(long, 'int32');
      checks.add('int sum two-pass rows', ps.sum(lt, 1), ref.reduce(long, 'sum', 1), exact);
      checks.add('int sum two-pass all', ps.sum(lt), ref.reduce(long, 'sum'), exact);
      expect(() => ps.mean(t)).toThrow(/^mean: needs a float32 tensor, got int32 \[7,9\]/);
    });
    await checks.run();
  });

  it('empty reductions: sum of [0,3] over axis 0 is zeros; max of an empty tensor throws', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const e = ps.zeros([0, 3]);
      checks.add('sum empty axis 0', ps.sum(e, 0), ref.arr([0, 0, 0], [3]));
      checks.add('sum empty axis 1', ps.sum(e, 1), ref.arr([], [0]));
      expect(() => ps.max(e)).toThrow(/^max: cannot reduce an empty tensor \[0,3\]/);
      expect(() => ps.argmax(e)).toThrow(/^argmax: cannot reduce an empty tensor \[0,3\]/);
    });
    await checks.run();
  });
});
