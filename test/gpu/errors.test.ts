// Bad input is an Error thrown at call time (synchronously, before any GPU work) that names the op
// and the shapes / values at fault.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { thrown } from './helpers/check.js';

beforeAll(async () => {
  await ps.init();
});

/** The message of the Error `fn` throws synchronously; it must start with `op: `. */
function errorOf(op: string, fn: () => unknown): string {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(Error);
  expect(err.message.startsWith(`${op}: `)).toBe(true);
  return err.message;
}

describe('shape errors', () => {
  it('broadcasting: elementwise ops, where, broadcastTo', () => {
    ps.tidy(() => {
      const a = ps.zeros([2, 3]);
      const b = ps.zeros([4]);
      expect(errorOf('add', () => ps.add(a, b))).toMatch(/^add: shapes \[2,3\] and \[4\] cannot be broadcast together \(dimension 1: 3 vs 4\)/);
      expect(errorOf('mul', () => a.mul(b))).toMatch(/\[2,3\] and \[4\]/);
      expect(errorOf('maximum', () => ps.maximum(ps.zeros([5, 1, 3]), ps.zeros([2, 4])))).toMatch(/\[5,1,3\].*\[2,4\]/);
      expect(errorOf('less', () => ps.less(a, b))).toMatch(/\[2,3\].*\[4\]/);
      expect(errorOf('where', () => ps.where(ps.zeros([3]), a, ps.zeros([2, 4])))).toMatch(/\[3\]|\[2,4\]/);
      expect(errorOf('broadcastTo', () => ps.broadcastTo(a, [3, 3]))).toMatch(/\[2,3\].*\[3,3\]/);
      expect(errorOf('broadcastTo', () => ps.broadcastTo(a, [3]))).toMatch(/\[2,3\].*\[3\]/);
    });
  });

  it('matmul / linear: inner dimensions, bias, rank', () => {
    ps.tidy(() => {
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([67, 129]), ps.zeros([128, 45])))).toMatch(/^matmul: inner dimensions differ: \[67,129\] @ \[128,45\] \(129 vs 128\)/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([3, 4]), ps.zeros([5, 2]), { transposeA: true }))).toMatch(/\[3,4\]ᵀ @ \[5,2\] \(3 vs 5\)/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([3, 4]), ps.zeros([5, 3]), { transposeB: true }))).toMatch(/\[3,4\] @ \[5,3\]ᵀ \(4 vs 3\)/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([2, 3, 4]), ps.zeros([5, 4, 6])))).toMatch(/^matmul: batch dimensions \[2\] of \[2,3,4\] and \[5\] of \[5,4,6\] cannot be broadcast/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([2, 3]), ps.zeros([3, 4]), { bias: ps.zeros([3]) }))).toMatch(/^matmul: bias must have shape \[4\], got \[3\]/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([]), ps.zeros([3])))).toMatch(/rank ≥ 1/);
      expect(errorOf('matmul', () => ps.matmul(ps.zeros([2, 2], 'int32'), ps.zeros([2, 2])))).toMatch(/^matmul: needs float32 tensors, got int32 \[2,2\]/);
      expect(errorOf('linear', () => ps.linear(ps.zeros([8, 5]), ps.zeros([3, 4])))).toMatch(/^linear: input has 5 features but weight expects 4 \(input \[8,5\], weight \[3,4\]\)/);
      expect(errorOf('linear', () => ps.linear(ps.zeros([8, 4]), ps.zeros([3, 4]), ps.zeros([4])))).toMatch(/^linear: bias must be \[3\], got \[4\]/);
    });
  });

  it('reshape, slice, concat, stack, transpose, squeeze', () => {
    ps.tidy(() => {
      const x = ps.zeros([2, 3, 4]);
      expect(errorOf('reshape', () => ps.reshape(x, [5, 5]))).toMatch(/^reshape: cannot reshape \[2,3,4\] \(24 elements\) into \[5,5\]/);
      expect(errorOf('reshape', () => ps.reshape(x, [5, -1]))).toMatch(/\[2,3,4\].*\[5,-1\]/);
      expect(errorOf('reshape', () => ps.reshape(x, [-1, -1]))).toMatch(/^reshape: only one dimension can be -1/);
      expect(errorOf('reshape', () => ps.reshape(x, [2, 1.5, 8]))).toMatch(/^reshape: shape must be an array of non-negative integers/);
      expect(errorOf('slice', () => ps.slice(x, [1, 2, 0], [2, 1, 4]))).toMatch(/^slice: begin 1 size 2 is out of range for dimension 0 of \[2,3,4\]/);
      expect(errorOf('slice', () => ps.slice(x, [0, -1]))).toMatch(/begin -1 .* dimension 1 of \[2,3,4\]/);
      expect(errorOf('slice', () => ps.slice(x, [0, 0, 0, 0]))).toMatch(/more entries than the rank of \[2,3,4\]/);
      expect(errorOf('concat', () => ps.concat([x, ps.zeros([2, 4, 4])], 2))).toMatch(/^concat: shapes \[2,3,4\], \[2,4,4\] differ outside axis 2/);
      expect(errorOf('concat', () => ps.concat([x, ps.zeros([2, 3])], 0))).toMatch(/\[2,3,4\], \[2,3\]/);
      expect(errorOf('concat', () => ps.concat([x, ps.zeros([2, 3, 4], 'int32')], 0))).toMatch(/^concat: dtype mismatch \(float32, int32\)/);
      expect(errorOf('concat', () => ps.concat([], 0))).toMatch(/non-empty/);
      expect(errorOf('stack', () => ps.stack([x, ps.zeros([2, 3, 5])], 0))).toMatch(/^stack: tensors must all have the same shape and dtype, got float32 \[2,3,4\], float32 \[2,3,5\]/);
      expect(errorOf('transpose', () => ps.transpose(x, [0, 1]))).toMatch(/^transpose: perm \[0,1\] is not a permutation of the 3 axes of \[2,3,4\]/);
      expect(errorOf('transpose', () => ps.transpose(x, [0, 0, 1]))).toMatch(/\[0,0,1\]/);
      expect(errorOf('squeeze', () => ps.squeeze(x, 1))).toMatch(/^squeeze: dimension 1 of \[2,3,4\] has size 3, not 1/);
    });
  });
});

describe('axis errors', () => {
  it('out-of-range axes name the op, the axis and the rank', () => {
    ps.tidy(() => {
      const x = ps.zeros([2, 3]);
      for (const [op, fn] of [
        ['sum', () => ps.sum(x, 2)],
        ['mean', () => ps.mean(x, [0, -3])],
        ['max', () => ps.max(x, 5)],
        ['min', () => x.min(-3)],
        ['argmax', () => ps.argmax(x, 2)],
        ['argmin', () => ps.argmin(x, -3)],
        ['concat', () => ps.concat([x, x], 2)],
        ['stack', () => ps.stack([x, x], 3)],
        ['flatten', () => ps.flatten(x, 0, 2)],
        ['expandDims', () => ps.expandDims(x, 3)],
        ['squeeze', () => ps.squeeze(x, 2)],
        ['transpose', () => ps.transpose(x, [0, 2])],
      ] as [string, () => unknown][]) {
        expect(errorOf(op, fn)).toMatch(/axis -?\d+ is out of range for a tensor of rank \d/);
      }
      expect(errorOf('sum', () => ps.sum(x, [1, 1]))).toMatch(/^sum: repeated axis in \[1,1\]/);
      expect(errorOf('sum', () => ps.sum(x, 0.5))).toMatch(/axis 0\.5 is out of range/);
      expect(errorOf('argmax', () => ps.argmax(x, [0] as unknown as number))).toMatch(/^argmax: axis must be a single number, got \[0\]/);
    });
  });
});

describe('dtype errors', () => {
  it('mixing int32 and float32, int32 where float32 is needed, non-integral numbers with int32', () => {
    ps.tidy(() => {
      const f = ps.zeros([3]);
      const i = ps.zeros([3], 'int32');
      expect(errorOf('add', () => ps.add(f, i))).toMatch(/^add: dtype mismatch: float32 \[3\] vs int32 \[3\]/);
      expect(errorOf('where', () => ps.where(f, f, i))).toMatch(/dtype mismatch/);
      expect(errorOf('equal', () => ps.equal(i, f))).toMatch(/dtype mismatch/);
      expect(errorOf('sub', () => ps.sub(i, 0.5))).toMatch(/^sub: cannot combine an int32 tensor with the non-integer 0\.5/);
      expect(errorOf('exp', () => ps.exp(i))).toMatch(/^exp: not defined for int32 tensors/);
      expect(errorOf('cast', () => ps.cast(f, 'float64' as ps.DType))).toMatch(/^cast: unknown dtype 'float64'/);
      expect(errorOf('tensor', () => ps.tensor([1.5], [1], 'int32'))).toMatch(/^tensor: value 1\.5 at index 0 is not an int32/);
      expect(errorOf('tensor', () => ps.tensor([1], [1], 'bool' as ps.DType))).toMatch(/^tensor: unknown dtype 'bool'/);
      expect(errorOf('full', () => ps.full([2], 2 ** 31, 'int32'))).toMatch(/^full: 2147483648 is not an int32/);
      expect(errorOf('add', () => ps.add(f, 'x' as unknown as number))).toMatch(/^add: b must be a Tensor, got string/);
    });
  });
});

describe('data errors', () => {
  it('tensor(): sizes that do not fill the shape, ragged arrays, bad shapes', () => {
    expect(errorOf('tensor', () => ps.tensor([1, 2, 3], [2, 2]))).toMatch(/^tensor: 3 values do not fill shape \[2,2\] \(4 elements\)/);
    expect(errorOf('tensor', () => ps.tensor([[1, 2], [3]]))).toMatch(/^tensor: ragged nested array/);
    expect(errorOf('zeros', () => ps.zeros([2, -1]))).toMatch(/shape must be an array of non-negative integers, got \[2,-1\]/);
  });

  it('item() on a non-scalar rejects naming the shape; a disposed tensor rejects naming the op', async () => {
    const x = ps.zeros([2, 3]);
    await expect(x.item()).rejects.toThrow(/^item: tensor must have exactly one element, got shape \[2,3\]/);
    x.dispose();
    await expect(x.array()).rejects.toThrow(/has been disposed/);
    expect(errorOf('relu', () => ps.relu(x))).toMatch(/^relu: x \(tensor #\d+ \[2,3\]\) has been disposed/);
    ps.tidy(() => {
      expect(errorOf('matmul', () => ps.matmul(ps.ones([3, 2]), x))).toMatch(/^matmul: b \(tensor #\d+ \[2,3\]\) has been disposed/);
    });
  });

  it('a failed op allocates nothing and leaves the runtime usable', async () => {
    const before = ps.memory();
    ps.tidy(() => {
      const a = ps.ones([2, 3]);
      const b = ps.ones([4]);
      const live = ps.memory().tensors;
      for (let i = 0; i < 3; i++) thrown(() => ps.add(a, b));
      thrown(() => ps.matmul(a, a));
      thrown(() => ps.concat([a, b]));
      expect(ps.memory().tensors).toBe(live);
    });
    expect(ps.memory().tensors).toBe(before.tensors);
    const y = ps.tidy(() => ps.add(ps.ones([2]), 1));
    expect(Array.from(await y.data())).toEqual([2, 2]);
    y.dispose();
  });
});
