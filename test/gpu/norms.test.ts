// l2Norm, projectL2 and renorm against float64 definitions, with gradients — including the
// documented difference between PyTorch's renorm(2, 1, r) on a [B, D] batch and projectL2.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, thrown, toTensor } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import * as ref from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

type Arr = ref.Arr;

beforeAll(async () => {
  await ps.init();
});

/** Per-sample l2 norms of [B, ...]. */
function norms(x: Arr): Float64Array {
  const B = x.shape[0]!;
  const per = x.data.length / B;
  return Float64Array.from({ length: B }, (_, b) => Math.sqrt(x.data.subarray(b * per, (b + 1) * per).reduce((s, v) => s + v * v, 0)));
}

/** Per-sample projection onto the ball of radius r[b]. */
function project(x: Arr, r: ArrayLike<number>): Arr {
  const n = norms(x);
  const per = x.data.length / n.length;
  return { data: x.data.map((v, i) => v * Math.min(1, r[Math.floor(i / per)]! / n[Math.floor(i / per)]!)), shape: x.shape };
}

/** PyTorch's Tensor.renorm(p, dim, maxnorm), from its definition. */
function renormRef(x: Arr, p: number, dim: number, maxnorm: number): Arr {
  const d = dim < 0 ? dim + x.shape.length : dim;
  const others = x.shape.map((_, i) => i).filter((i) => i !== d);
  const kept = x.shape.map((n, i) => (i === d ? n : 1));
  const total = ref.reduce(ref.map1(x, (v) => Math.abs(v) ** p), 'sum', others, true);
  const factor = ref.map1(total, (t) => {
    const norm = t ** (1 / p);
    return norm > maxnorm ? maxnorm / (norm + 1e-7) : 1;
  });
  return ref.map2(x, { data: factor.data, shape: kept }, (v, f) => v * f);
}

describe('l2Norm', () => {
  it('per sample over all non-batch axes, a zero sample, rank 1, a long sample; gradient x/‖x‖ and 0 at 0', async () => {
    const rng = new Rng(1);
    const x = rng.array([4, 3, 5], -2, 2);
    x.data.fill(0, 15, 30); // sample 1 is all zeros
    const long = rng.array([2, 5000], -1, 1);
    const v = ref.arr([3, -4, 0, 0.5], [4]);
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('l2Norm [4,3,5]', ps.l2Norm(toTensor(x)), ref.arr(norms(x), [4]), { rtol: 2e-6, atol: 1e-7 });
      checks.add('l2Norm [4] (|x|)', ps.l2Norm(toTensor(v)), ref.arr([3, 4, 0, 0.5], [4]), { rtol: 1e-6, atol: 0 });
      checks.add('l2Norm [2,5000]', ps.l2Norm(toTensor(long)), ref.arr(norms(long), [2]), { rtol: 1e-5, atol: 0 });
      const w = rng.array([4]);
      gradCheck(checks, {
        what: 'l2Norm',
        inputs: [x],
        gpu: (t) => ps.sum(ps.mul(ps.l2Norm(t), toTensor(w))),
        cpu: (a) => ref.dot(norms(a), w.data),
        cpuGrad: (a) => {
          const n = norms(a);
          return [{ data: a.data.map((u, i) => (n[Math.floor(i / 15)]! > 0 ? (u / n[Math.floor(i / 15)]!) * w.data[Math.floor(i / 15)]! : 0)), shape: a.shape }];
        },
        fdSample: 40,
      });
      const gZero = ps.grad((t: ps.Tensor) => ps.sum(ps.l2Norm(t)))(ps.zeros([2, 3])) as ps.Tensor;
      checks.add('l2Norm gradient at 0 is 0 (not NaN)', gZero, new Float64Array(6));
    });
    await checks.run();
  });
});

describe('projectL2', () => {
  it('number radius: inside unchanged (bit for bit), outside scaled to norm = radius, zero sample kept', async () => {
    const rng = new Rng(2);
    const x = rng.array([6, 2, 4], -1, 1);
    // samples 0 and 3 well inside the ball of radius 1.5, sample 5 zero, the rest outside
    for (const b of [0, 3]) for (let i = 0; i < 8; i++) x.data[b * 8 + i] = Math.fround(x.data[b * 8 + i]! * 0.2);
    x.data.fill(0, 40, 48);
    const r = 1.5;
    const n = norms(x);
    expect([1, 2, 4].every((b) => n[b]! > r)).toBe(true);
    expect([0, 3, 5].every((b) => n[b]! < r)).toBe(true);
    const checks = new Checks();
    ps.tidy(() => {
      const y = ps.projectL2(toTensor(x), r);
      checks.fn([y], ([yv]) => {
        for (let b = 0; b < 6; b++) {
          const sample = yv!.subarray(b * 8, (b + 1) * 8);
          if (n[b]! < r) {
            sample.forEach((v, i) => {
              if (v !== x.data[b * 8 + i]) throw new Error(`sample ${b} (inside) changed at ${i}: ${v} vs ${x.data[b * 8 + i]}`);
            });
          } else {
            const norm = Math.sqrt(sample.reduce((s, v) => s + v * v, 0));
            if (Math.abs(norm - r) > 2e-6 * r) throw new Error(`sample ${b} (outside) has norm ${norm}, expected ${r}`);
          }
        }
      });
      checks.add('projectL2 values', y, project(x, new Array(6).fill(r)), { rtol: 2e-6, atol: 1e-7 });
      const w = rng.array([6, 2, 4]);
      gradCheck(checks, {
        what: 'projectL2(x, 1.5)',
        inputs: [x],
        gpu: (t) => ps.sum(ps.mul(ps.projectL2(t, r), toTensor(w))),
        cpu: (a) => ref.dot(project(a, new Array(6).fill(r)).data, w.data),
        tol: { rtol: 1e-5 },
        gpuFd: { samples: 3, eps: 1e-3 },
      });
    });
    await checks.run();
  });

  it('[B] tensor radius: per-sample radii, gradients w.r.t. x and the radius', async () => {
    const rng = new Rng(3);
    const x = rng.array([5, 7], -1, 1);
    const radius = ref.arr([0.5, 3, 1, 0.25, 2], [5]);
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('projectL2(x, r[B])', ps.projectL2(toTensor(x), toTensor(radius)), project(x, radius.data), { rtol: 2e-6, atol: 1e-7 });
      const w = rng.array([5, 7]);
      gradCheck(checks, {
        what: 'projectL2(x, r[B])',
        inputs: [x, radius],
        gpu: (t, r) => ps.sum(ps.mul(ps.projectL2(t, r), toTensor(w))),
        cpu: (a, r) => ref.dot(project(a, r.data).data, w.data),
        tol: { rtol: 1e-5 },
      });
    });
    await checks.run();
  });
});

describe('renorm (PyTorch Tensor.renorm semantics)', () => {
  it('hand-computed values: rows over maxnorm scaled by maxnorm/(norm + 1e-7), the others untouched', async () => {
    const checks = new Checks();
    const eps = 1e-7;
    ps.tidy(() => {
      const x = ps.tensor([[3, 4], [0.3, 0.4]]);
      // dim 0: row 0 has norm 5 > 1, row 1 has norm 0.5.
      checks.add('renorm(2, 0, 1)', ps.renorm(x, 2, 0, 1), [3 / (5 + eps), 4 / (5 + eps), 0.3, 0.4]);
      // dim 1: columns [3, 0.3] and [4, 0.4] have norms √9.09 and √16.16, both > 1.
      const c0 = Math.sqrt(9.09);
      const c1 = Math.sqrt(16.16);
      checks.add('renorm(2, 1, 1)', ps.renorm(x, 2, 1, 1), [3 / (c0 + eps), 4 / (c1 + eps), 0.3 / (c0 + eps), 0.4 / (c1 + eps)]);
      // p = 1: row 0 has 1-norm 7 > 2, row 1 has 0.7.
      checks.add('renorm(1, 0, 2)', ps.renorm(x, 1, 0, 2), [(3 * 2) / (7 + eps), (4 * 2) / (7 + eps), 0.3, 0.4]);
      // maxnorm 0 zeroes every non-zero row.
      checks.add('renorm(2, 0, 0)', ps.renorm(x, 2, 0, 0), [0, 0, 0, 0]);
    });
    await checks.run();
  });

  it('p = 1, 2, 3 over each dim of a rank-3 tensor (negative dim too), forward and gradient', async () => {
    const rng = new Rng(4);
    const x = rng.array([3, 4, 5], -1, 1);
    const checks = new Checks();
    ps.tidy(() => {
      for (const p of [1, 2, 3]) {
        for (const dim of [0, 1, -1]) {
          // maxnorm between the smallest and the largest sub-tensor norm, so both branches occur
          const normsAlong = ref.reduce(ref.map1(x, (v) => Math.abs(v) ** p), 'sum', [0, 1, 2].filter((i) => i !== (dim + 3) % 3)).data.map((t) => t ** (1 / p));
          const maxnorm = (Math.min(...normsAlong) + Math.max(...normsAlong)) / 2;
          const what = `renorm(x, ${p}, ${dim}, ${maxnorm.toFixed(3)})`;
          checks.add(what, ps.renorm(toTensor(x), p, dim, maxnorm), renormRef(x, p, dim, maxnorm), { rtol: 1e-5, atol: 1e-6 });
          const w = rng.array([3, 4, 5]);
          gradCheck(checks, {
            what,
            inputs: [x],
            gpu: (t) => ps.sum(ps.mul(ps.renorm(t, p, dim, maxnorm), toTensor(w))),
            cpu: (a) => ref.dot(renormRef(a, p, dim, maxnorm).data, w.data),
            tol: { rtol: 3e-5 },
            valueTol: { rtol: 1e-5, atol: 1e-5 },
          });
        }
      }
    });
    await checks.run();
  });

  it('renorm(z, 2, 1, r) on [B, D] clips columns across the batch — not projectL2; renorm(z, 2, 0, r) ≈ projectL2', async () => {
    const z = ref.arr([3, 4, 0.1, 0.1, 0, 0.5], [3, 2]);
    const r = 1;
    const checks = new Checks();
    ps.tidy(() => {
      const zt = toTensor(z);
      const byColumn = ps.renorm(zt, 2, 1, r);
      const perSample = ps.projectL2(zt, r);
      // projectL2: sample 0 (norm 5) → [0.6, 0.8]; samples 1 and 2 lie inside the ball: unchanged.
      checks.add('projectL2', perSample, [0.6, 0.8, 0.1, 0.1, 0, 0.5], { rtol: 1e-6, atol: 0 });
      // renorm over dim 1: column norms √9.01 and √16.26, both > 1: every sample changes, also the
      // ones already inside the ball.
      const c0 = Math.sqrt(9.01) + 1e-7;
      const c1 = Math.sqrt(16.26) + 1e-7;
      checks.add('renorm(2, 1, 1)', byColumn, [3 / c0, 4 / c1, 0.1 / c0, 0.1 / c1, 0, 0.5 / c1], { rtol: 1e-6, atol: 0 });
      checks.fn([byColumn, perSample], ([a, b]) => {
        if (Math.abs(a![2]! - b![2]!) < 0.05) throw new Error('renorm(2, 1, r) and projectL2 should differ on sample 1');
      });
      checks.add('renorm(2, 0, r) ≈ projectL2', ps.renorm(zt, 2, 0, r), [0.6, 0.8, 0.1, 0.1, 0, 0.5], { rtol: 1e-6, atol: 0 });
    });
    await checks.run();
  });
});

describe('argument checks', () => {
  it('bad radius, p, dim and shapes throw naming the op', () => {
    ps.tidy(() => {
      const x = ps.zeros([2, 3]);
      expect(thrown(() => ps.projectL2(x, 0)).message).toMatch(/^projectL2: radius must be a positive finite number, got 0/);
      expect(thrown(() => ps.projectL2(x, ps.ones([3]))).message).toMatch(/^projectL2: radius tensor must be \[2\], got \[3\]/);
      expect(thrown(() => ps.renorm(x, 0, 0, 1)).message).toMatch(/^renorm: p must be a positive finite number, got 0/);
      expect(thrown(() => ps.renorm(x, 2, 2, 1)).message).toMatch(/^renorm: dim 2 is out of range for a tensor of rank 2/);
      expect(thrown(() => ps.renorm(x, 2, 0, -1)).message).toMatch(/^renorm: maxnorm must be ≥ 0, got -1/);
      expect(thrown(() => ps.l2Norm(ps.zeros([2], 'int32'))).message).toMatch(/^l2Norm: needs a float32 tensor \[B, \.\.\.\], got int32 \[2\]/);
    });
  });
});
