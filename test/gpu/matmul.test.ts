// The op-level matmul / linear against the float64 reference: shapes that are no multiple of any
// tile (67×129 @ 129×45), 1-D operands, batch broadcasting, transposeA/B, and the fused
// bias + activation epilogue — forward and every gradient. (Kernel variants: matmul-kernels.test.ts.)
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

/** |error| ≲ K·2^-24·Σ|a||b|: a relative tolerance per element from the magnitudes involved. */
const MM_TOL = { rtol: 1e-5, atol: 1e-4 };

/** Loss Σ w ∘ (a @ b) on the GPU and in float64, with its analytic gradients. */
function matmulCase(what: string, a: Arr, b: Arr, w: Arr, opts: ps.MatmulOptions = {}, extra: Arr[] = []) {
  const opA = (x: Arr) => (opts.transposeA && x.shape.length > 1 ? ref.matrixT(x) : x);
  const opB = (x: Arr) => (opts.transposeB && x.shape.length > 1 ? ref.matrixT(x) : x);
  return {
    what,
    inputs: [a, b, ...extra],
    gpu: (x: ps.Tensor, y: ps.Tensor) => ps.sum(ps.mul(ps.matmul(x, y, opts), toTensor(w))),
    cpu: (x: Arr, y: Arr) => ref.dot(ref.matmul(opA(x), opB(y)).data, w.data),
  };
}

describe('matmul', () => {
  it('67×129 @ 129×45: forward and both gradients vs float64 and finite differences', async () => {
    const rng = new Rng(1);
    const a = rng.array([67, 129]);
    const b = rng.array([129, 45]);
    const w = rng.array([67, 45]);
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('67×129 @ 129×45', ps.matmul(toTensor(a), toTensor(b)), ref.matmul(a, b), MM_TOL);
      checks.add('method a.matmul(b)', toTensor(a).matmul(toTensor(b)), ref.matmul(a, b), MM_TOL);
      gradCheck(checks, {
        ...matmulCase('67×129 @ 129×45', a, b, w),
        // dA = W·Bᵀ, dB = Aᵀ·W
        cpuGrad: (x, y) => [ref.matmul(w, ref.matrixT(y)), ref.matmul(ref.matrixT(x), w)],
        tol: { rtol: 2e-5 },
        valueTol: { rtol: 1e-5, atol: 1e-3 },
        fdSample: 6,
        gpuFd: { samples: 2, eps: 1e-2 },
      });
    });
    await checks.run();
  });

  it('1-D operands: [K]@[K,N], [M,K]@[K], [K]@[K], [K]@[B,K,N], with gradients', async () => {
    const rng = new Rng(2);
    const K = 13;
    const v = rng.array([K]);
    const u = rng.array([K]);
    const m = rng.array([9, K]);
    const n = rng.array([K, 6]);
    const bn = rng.array([3, K, 6]);
    const checks = new Checks();
    ps.tidy(() => {
      const cases: [string, Arr, Arr, number[]][] = [
        ['[K]@[K,N]', v, n, [6]],
        ['[M,K]@[K]', m, v, [9]],
        ['[K]@[K]', v, u, []],
        ['[K]@[B,K,N]', v, bn, [3, 6]],
      ];
      for (const [what, a, b, shape] of cases) {
        const y = ps.matmul(toTensor(a), toTensor(b));
        expect(y.shape).toEqual(shape);
        checks.add(what, y, ref.matmul(a, b), MM_TOL);
        const w = rng.array(shape);
        gradCheck(checks, {
          ...matmulCase(what, a, b, w),
          tol: { rtol: 2e-5 },
          valueTol: { rtol: 1e-5, atol: 1e-4 },
        });
      }
    });
    await checks.run();
  });

  it('batch broadcasting: [2,1,5,7] @ [3,7,6] → [2,3,5,6], [4,5,7] @ [7,6], [5,7] @ [2,7,6]', async () => {
    const rng = new Rng(3);
    const checks = new Checks();
    ps.tidy(() => {
      const cases: [number[], number[]][] = [
        [[2, 1, 5, 7], [3, 7, 6]],
        [[4, 5, 7], [7, 6]],
        [[5, 7], [2, 7, 6]],
        [[2, 3, 5, 7], [1, 3, 7, 6]],
      ];
      for (const [sa, sb] of cases) {
        const a = rng.array(sa);
        const b = rng.array(sb);
        const expected = ref.matmul(a, b);
        const what = `[${sa}] @ [${sb}]`;
        checks.add(what, ps.matmul(toTensor(a), toTensor(b)), expected, MM_TOL);
        const w = rng.array(expected.shape);
        gradCheck(checks, {
          ...matmulCase(what, a, b, w),
          // Gradients summed over the batch dims each operand broadcast.
          cpuGrad: (x, y) => {
            const dz = w;
            return [ref.sumToShape(ref.matmul(dz, ref.matrixT(y)), x.shape), ref.sumToShape(ref.matmul(ref.matrixT(x), dz), y.shape)];
          },
          tol: { rtol: 2e-5 },
          valueTol: { rtol: 1e-5, atol: 1e-4 },
        });
      }
    });
    await checks.run();
  });

  it('transposeA / transposeB (stored [K,M] and [N,K]), also batched, with gradients', async () => {
    const rng = new Rng(4);
    const checks = new Checks();
    ps.tidy(() => {
      for (const [transposeA, transposeB] of [[true, false], [false, true], [true, true]] as const) {
        for (const batch of [[], [2]]) {
          const a = rng.array([...batch, ...(transposeA ? [11, 9] : [9, 11])]);
          const b = rng.array([...batch, ...(transposeB ? [5, 11] : [11, 5])]);
          const opts = { transposeA, transposeB };
          const c = matmulCase(`transposeA ${transposeA} transposeB ${transposeB} batch [${batch}]`, a, b, rng.array([...batch, 9, 5]), opts);
          const expected = ref.matmul(transposeA ? ref.matrixT(a) : a, transposeB ? ref.matrixT(b) : b);
          checks.add(c.what, ps.matmul(toTensor(a), toTensor(b), opts), expected, MM_TOL);
          gradCheck(checks, { ...c, tol: { rtol: 2e-5 }, valueTol: { rtol: 1e-5, atol: 1e-4 } });
        }
      }
    });
    await checks.run();
  });

  it('fused bias + activation (none, relu, sigmoid, tanh): forward and gradients of a, b and bias', async () => {
    const rng = new Rng(5);
    const acts: Record<ps.Activation, (v: number) => number> = {
      none: (v) => v,
      relu: (v) => Math.max(v, 0),
      sigmoid: ref.sigmoid,
      tanh: Math.tanh,
    };
    const checks = new Checks();
    ps.tidy(() => {
      for (const [name, f] of Object.entries(acts) as [ps.Activation, (v: number) => number][]) {
        const a = rng.array([10, 17]);
        const b = rng.array([17, 7]);
        const bias = rng.array([7]);
        const w = rng.array([10, 7]);
        const cpuOut = (x: Arr, y: Arr, z: Arr) => ref.map1(ref.map2(ref.matmul(x, y), z, (u, v) => u + v), f);
        const tol = name === 'none' || name === 'relu' ? MM_TOL : { rtol: 1e-5, atol: 2e-5 };
        checks.add(`matmul + bias, ${name}`, ps.matmul(toTensor(a), toTensor(b), { bias: toTensor(bias), activation: name }), cpuOut(a, b, bias), tol);
        gradCheck(checks, {
          what: `matmul + bias, ${name}`,
          inputs: [a, b, bias],
          gpu: (x, y, z) => ps.sum(ps.mul(ps.matmul(x, y, { bias: z, activation: name }), toTensor(w))),
          cpu: (x, y, z) => ref.dot(cpuOut(x, y, z).data, w.data),
          tol: { rtol: 3e-5 },
          valueTol: { rtol: 1e-5, atol: 1e-4 },
        });
      }
    });
    await checks.run();
  });

  it('linear(x [2,3,K], w [N,K], b, activation) = act(x·wᵀ + b), with gradients', async () => {
    const rng = new Rng(6);
    const x = rng.array([2, 3, 19]);
    const wt = rng.array([6, 19]);
    const b = rng.array([6]);
    const w = rng.array([2, 3, 6]);
    const cpuOut = (xa: Arr, wa: Arr, ba: Arr) => ref.map1(ref.map2(ref.matmul(xa, ref.matrixT(wa)), ba, (u, v) => u + v), ref.sigmoid);
    const checks = new Checks();
    ps.tidy(() => {
      const y = ps.linear(toTensor(x), toTensor(wt), toTensor(b), 'sigmoid');
      expect(y.shape).toEqual([2, 3, 6]);
      checks.add('linear sigmoid', y, cpuOut(x, wt, b), { rtol: 1e-5, atol: 2e-5 });
      checks.add('linear, no bias, 1-D x', ps.linear(toTensor(ref.arr(x.data.slice(0, 19), [19])), toTensor(wt)), ref.matmul(ref.arr(x.data.slice(0, 19), [19]), ref.matrixT(wt)), MM_TOL);
      gradCheck(checks, {
        what: 'linear sigmoid',
        inputs: [x, wt, b],
        gpu: (xs, ws, bs) => ps.sum(ps.mul(ps.linear(xs, ws, bs, 'sigmoid'), toTensor(w))),
        cpu: (xa, wa, ba) => ref.dot(cpuOut(xa, wa, ba).data, w.data),
        tol: { rtol: 3e-5 },
        valueTol: { rtol: 1e-5, atol: 1e-4 },
      });
    });
    await checks.run();
  });

  it('degenerate sizes: K = 0 gives zeros (+ bias), M = 1, N = 1', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('K = 0', ps.matmul(ps.zeros([3, 0]), ps.zeros([0, 2])), ref.arr([0, 0, 0, 0, 0, 0], [3, 2]));
      checks.add('K = 0 + bias', ps.matmul(ps.zeros([2, 0]), ps.zeros([0, 2]), { bias: ps.tensor([1, -2]) }), ref.arr([1, -2, 1, -2], [2, 2]));
      checks.add('[1,3]@[3,1]', ps.matmul(ps.tensor([[1, 2, 3]]), ps.tensor([[4], [5], [6]])), ref.arr([32], [1, 1]));
    });
    await checks.run();
  });
});
