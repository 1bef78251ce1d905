// Shape ops against the float64 reference, forward and gradient: reshape (-1), flatten, expandDims,
// squeeze, transpose (rank 4 perms), broadcastTo, slice, concat, stack.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, toTensor } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import * as ref from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

type Arr = ref.Arr;

beforeAll(async () => {
  await ps.init();
});

const EXACT = { rtol: 0, atol: 0 };

/** Forward (exact: these ops only move data) and the gradient of Σ w ∘ op(x). */
function checkOp(checks: Checks, rng: Rng, what: string, inputs: Arr[], gpu: (...xs: ps.Tensor[]) => ps.Tensor, cpu: (...xs: Arr[]) => Arr): void {
  const expected = cpu(...inputs);
  checks.add(what, gpu(...inputs.map((a) => toTensor(a))), expected, EXACT);
  const w = rng.array(expected.shape);
  gradCheck(checks, {
    what,
    inputs,
    gpu: (...xs) => ps.sum(ps.mul(gpu(...xs), toTensor(w))),
    cpu: (...xs) => ref.dot(cpu(...xs).data, w.data),
    valueTol: { rtol: 1e-5, atol: 1e-5 },
  });
}

const reshaped = (a: Arr, shape: number[]): Arr => ({ data: a.data, shape });

describe('views: reshape, flatten, expandDims, squeeze', () => {
  it('reshape with -1, flatten ranges, expandDims, squeeze; gradients flow back in the input shape', async () => {
    const rng = new Rng(1);
    const x = rng.array([2, 3, 1, 5]);
    const checks = new Checks();
    ps.tidy(() => {
      const cases: [string, (t: ps.Tensor) => ps.Tensor, number[]][] = [
        ['reshape [6,-1]', (t) => ps.reshape(t, [6, -1]), [6, 5]],
        ['reshape [-1]', (t) => t.reshape([-1]), [30]],
        ['reshape [5,3,2]', (t) => ps.reshape(t, [5, 3, 2]), [5, 3, 2]],
        ['flatten()', (t) => ps.flatten(t), [30]],
        ['flatten(1)', (t) => t.flatten(1), [2, 15]],
        ['flatten(1, 2)', (t) => ps.flatten(t, 1, 2), [2, 3, 5]],
        ['flatten(-2, -1)', (t) => ps.flatten(t, -2, -1), [2, 3, 5]],
        ['expandDims(0)', (t) => ps.expandDims(t, 0), [1, 2, 3, 1, 5]],
        ['expandDims(-1)', (t) => t.expandDims(-1), [2, 3, 1, 5, 1]],
        ['expandDims(2)', (t) => ps.expandDims(t, 2), [2, 3, 1, 1, 5]],
        ['squeeze()', (t) => ps.squeeze(t), [2, 3, 5]],
        ['squeeze(2)', (t) => t.squeeze(2), [2, 3, 5]],
        ['squeeze([-2])', (t) => ps.squeeze(t, [-2]), [2, 3, 5]],
      ];
      for (const [what, fn, shape] of cases) {
        const y = fn(toTensor(x));
        expect(y.shape).toEqual(shape);
        y.dispose();
        checkOp(checks, rng, what, [x], fn, (a) => reshaped(a, shape));
      }
    });
    await checks.run();
  });

  it('a view outlives the tensor it was made from', async () => {
    const x = ps.tensor([1, 2, 3, 4, 5, 6]);
    const y = ps.reshape(x, [2, 3]);
    x.dispose();
    expect(await y.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    y.dispose();
  });
});

describe('transpose and broadcastTo', () => {
  it('transpose: default reversal, rank-2/3/4 permutations, negative axes, int32, matrixTranspose', async () => {
    const rng = new Rng(2);
    const x4 = rng.array([2, 3, 4, 5]);
    const x3 = rng.array([3, 1, 7]);
    const checks = new Checks();
    ps.tidy(() => {
      for (const perm of [[0, 1, 2, 3], [3, 2, 1, 0], [0, 2, 1, 3], [1, 3, 0, 2], [2, 0, 3, 1], [0, 1, 3, 2], [3, 0, 1, 2]]) {
        checkOp(checks, rng, `transpose [2,3,4,5] by [${perm}]`, [x4], (t) => ps.transpose(t, perm), (a) => ref.transpose(a, perm));
      }
      checkOp(checks, rng, 'transpose() reverses', [x3], (t) => t.transpose(), (a) => ref.transpose(a));
      checkOp(checks, rng, 'transpose [-1, 0, 1]', [x3], (t) => ps.transpose(t, [-1, 0, 1]), (a) => ref.transpose(a, [2, 0, 1]));
      checkOp(checks, rng, 'matrixTranspose', [x4], (t) => ps.matrixTranspose(t), (a) => ref.matrixT(a));
      const xi = rng.intArray([4, 6], -100, 100);
      checks.add('transpose int32', ps.transpose(toTensor(xi, 'int32')), ref.transpose(xi), { ...EXACT, dtype: 'int32' });
      // 67×129 is no multiple of any workgroup size.
      const big = rng.array([67, 129]);
      checks.add('transpose 67×129', ps.transpose(toTensor(big)), ref.transpose(big), EXACT);
    });
    await checks.run();
  });

  it('rank 6 and 8 (strides past the first vec4 of the uniforms); rank 9 is refused', async () => {
    const rng = new Rng(7);
    const x6 = rng.array([2, 3, 1, 4, 2, 3]);
    const x8 = rng.array([2, 1, 2, 3, 1, 2, 2, 3]);
    const b6 = rng.array([3, 1, 1, 3]);
    const checks = new Checks();
    ps.tidy(() => {
      checkOp(checks, rng, 'transpose rank 6', [x6], (t) => ps.transpose(t, [5, 3, 0, 4, 1, 2]), (a) => ref.transpose(a, [5, 3, 0, 4, 1, 2]));
      checkOp(checks, rng, 'transpose rank 8', [x8], (t) => ps.transpose(t), (a) => ref.transpose(a));
      checks.add('add rank 6 + rank 4 broadcast', ps.add(toTensor(x6), toTensor(b6)), ref.map2(x6, b6, (u, v) => u + v), { rtol: 1e-7, atol: 0 });
      checkOp(checks, rng, 'slice rank 6', [x6], (t) => ps.slice(t, [1, 1, 0, 2, 1, 1], [1, 2, 1, 2, 1, 2]), (a) => ref.slice(a, [1, 1, 0, 2, 1, 1], [1, 2, 1, 2, 1, 2]));
      expect(() => ps.add(ps.tensor([1, 2], [1, 1, 1, 1, 1, 1, 1, 1, 2]), 1)).toThrow(/^add: tensor rank 9 exceeds the maximum 8 \(shape \[1,1,1,1,1,1,1,1,2\]\)/);
    });
    await checks.run();
  });

  it('broadcastTo: new leading dims, size-1 dims, no-op; the gradient sums back', async () => {
    const rng = new Rng(3);
    const checks = new Checks();
    ps.tidy(() => {
      const cases: [number[], number[]][] = [
        [[3], [4, 3]],
        [[4, 1], [4, 5]],
        [[1, 3, 1], [2, 3, 4]],
        [[2, 1, 3], [5, 2, 7, 3]],
        [[2, 3], [2, 3]],
        [[], [3, 2]],
      ];
      for (const [from, to] of cases) {
        checkOp(checks, rng, `broadcastTo [${from}] → [${to}]`, [rng.array(from)], (t) => ps.broadcastTo(t, to), (a) => ref.broadcastTo(a, to));
      }
      checks.add('x.broadcastTo int32', toTensor(ref.arr([1, 2], [2, 1]), 'int32').broadcastTo([2, 3]), [1, 1, 1, 2, 2, 2], { ...EXACT, dtype: 'int32' });
    });
    await checks.run();
  });
});

describe('slice, concat, stack', () => {
  it('slice: begin/size, size -1, missing trailing entries, a number begin; the gradient scatters back', async () => {
    const rng = new Rng(4);
    const x = rng.array([5, 6, 7]);
    const checks = new Checks();
    ps.tidy(() => {
      const cases: [number | number[], (number | number[])?, number[]?, number[]?][] = [
        [[1, 2, 3], [3, 2, 4]],
        [[0, 0, 0], [5, 6, 7]],
        [[4, 5, 6], [1, 1, 1]],
        [[2, 1, 0], [-1, 4, -1]],
        [[1], [3]],
        [[0, 3]],
        [2],
      ];
      for (const [begin, size] of cases) {
        const b = typeof begin === 'number' ? [begin] : begin;
        const s = size === undefined ? undefined : typeof size === 'number' ? [size] : size;
        checkOp(checks, rng, `slice(${JSON.stringify(begin)}, ${JSON.stringify(size)})`, [x], (t) => (size === undefined ? ps.slice(t, begin) : t.slice(begin, size)), (a) => ref.slice(a, b, s));
      }
      checks.add('empty slice', ps.slice(toTensor(x), [1, 2, 3], [0, 2, 2]), ref.arr([], [0, 2, 2]));
      const xi = rng.intArray([4, 5], 0, 9);
      checks.add('slice int32', ps.slice(toTensor(xi, 'int32'), [1, 1], [2, 3]), ref.slice(xi, [1, 1], [2, 3]), { ...EXACT, dtype: 'int32' });
    });
    await checks.run();
  });

  it('concat along each axis (negative too) of two and three tensors; int32; gradients split back', async () => {
    const rng = new Rng(5);
    const checks = new Checks();
    ps.tidy(() => {
      for (const axis of [0, 1, 2, -1]) {
        const ax = axis < 0 ? axis + 3 : axis;
        const shapeWith = (n: number) => [3, 4, 5].map((d, i) => (i === ax ? n : d));
        const parts = [rng.array(shapeWith(2)), rng.array(shapeWith(1)), rng.array(shapeWith(3))];
        checkOp(checks, rng, `concat 3 tensors axis ${axis}`, parts, (...ts) => ps.concat(ts, axis), (...as) => ref.concat(as, axis));
        checkOp(checks, rng, `concat 2 tensors axis ${axis}`, parts.slice(0, 2), (...ts) => ps.concat(ts, axis), (...as) => ref.concat(as, axis));
      }
      const single = rng.array([2, 3]);
      checkOp(checks, rng, 'concat of one tensor', [single], (t) => ps.concat([t], 1), (a) => a);
      const ia = rng.intArray([2, 3], 0, 9);
      const ib = rng.intArray([1, 3], 0, 9);
      checks.add('concat int32', ps.concat([toTensor(ia, 'int32'), toTensor(ib, 'int32')]), ref.concat([ia, ib], 0), { ...EXACT, dtype: 'int32' });
      // One input used twice gets both gradient pieces.
      const twice = ps.grad((t: ps.Tensor) => ps.sum(ps.mul(ps.concat([t, t], 0), ps.tensor([1, 2, 3, 4]))))(ps.tensor([5, 6])) as ps.Tensor;
      checks.add('concat [x, x] gradient', twice, [4, 6]);
    });
    await checks.run();
  });

  it('stack along a new axis (0, 1, -1), with gradients', async () => {
    const rng = new Rng(6);
    const parts = [rng.array([3, 4]), rng.array([3, 4]), rng.array([3, 4])];
    const expand = (a: Arr, axis: number): Arr => {
      const shape = [...a.shape];
      shape.splice(axis, 0, 1);
      return { data: a.data, shape };
    };
    const checks = new Checks();
    ps.tidy(() => {
      for (const axis of [0, 1, 2, -1]) {
        const ax = axis < 0 ? axis + 3 : axis;
        checkOp(checks, rng, `stack axis ${axis}`, parts, (...ts) => ps.stack(ts, axis), (...as) => ref.concat(as.map((a) => expand(a, ax)), ax));
      }
    });
    await checks.run();
  });
});

describe('creation and readback', () => {
  it('tensor (nested, flat + shape, typed arrays, booleans), zeros/ones/full, zerosLike/onesLike, arange; array() and item()', async () => {
    const checks = new Checks();
    const made = ps.tidy(() => {
      const nested = ps.tensor([[1, 2, 3], [4, 5, 6]]);
      expect(nested.shape).toEqual([2, 3]);
      expect(nested.dtype).toBe('float32');
      const ints = ps.tensor(new Int32Array([3, -1, 7]));
      expect(ints.dtype).toBe('int32');
      checks.add('Int32Array', ints, [3, -1, 7], { ...EXACT, dtype: 'int32' });
      checks.add('flat + shape', ps.tensor([1, 2, 3, 4, 5, 6], [3, 2]), ref.arr([1, 2, 3, 4, 5, 6], [3, 2]), EXACT);
      checks.add('booleans', ps.tensor([true, false, true]), [1, 0, 1], EXACT);
      checks.add('scalar', ps.tensor(2.5), ref.arr([2.5], []), EXACT);
      checks.add('zeros int32', ps.zeros([2, 2], 'int32'), [0, 0, 0, 0], { ...EXACT, dtype: 'int32' });
      checks.add('ones', ps.ones([3]), [1, 1, 1], EXACT);
      checks.add('full', ps.full([2, 1], -7.25), ref.arr([-7.25, -7.25], [2, 1]), EXACT);
      checks.add('full int32', ps.full([2], -123456789, 'int32'), [-123456789, -123456789], { ...EXACT, dtype: 'int32' });
      checks.add('zerosLike keeps dtype', ps.zerosLike(ints), [0, 0, 0], { ...EXACT, dtype: 'int32' });
      checks.add('onesLike', ps.onesLike(nested), ref.arr([1, 1, 1, 1, 1, 1], [2, 3]), EXACT);
      checks.add('arange(5)', ps.arange(5), [0, 1, 2, 3, 4], { ...EXACT, dtype: 'int32' });
      checks.add('arange(2, 11, 3)', ps.arange(2, 11, 3), [2, 5, 8], { ...EXACT, dtype: 'int32' });
      checks.add('arange(1, 0, -0.25)', ps.arange(1, 0, -0.25), [1, 0.75, 0.5, 0.25], { ...EXACT, dtype: 'float32' });
      checks.add('empty', ps.tensor([], [0, 3]), ref.arr([], [0, 3]), EXACT);
      return nested;
    });
    await checks.run();
    expect(await made.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const s = ps.sum(made);
    expect(await s.item()).toBe(21);
    const scalar = ps.tensor(4);
    expect(await scalar.array()).toBe(4);
    for (const t of [made, s, scalar]) t.dispose();
  });
});
