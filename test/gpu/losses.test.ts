// mseLoss, bceLoss, crossEntropy (int32 labels) with reduction none / sum / mean, and
// klDiagGaussians, against PyTorch (test/fixtures/torch-ops.json); the gradients are those of
// sum(loss · r) for 'none' and of the loss itself otherwise. bceLoss is tested at p = 0 and p = 1
// exactly (each log clamped at -100), next to them (1e-7, 1 - 6e-8, 1e-30, a subnormal) and with
// soft targets. Where PyTorch does not pin a value down — the target gradient where the clamp is
// active, an out-of-range class label — the tests say what we do and check it.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { fused } from '../../src/ops/fused.js';
import { Checks, thrown } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import { Rng } from './helpers/rng.js';
import { arr, fixture, golden, tensorOf, type Red } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

const REDUCTIONS: Red[] = ['none', 'sum', 'mean'];

/** valueAndGrad of sum(loss · r) ('none') or of the loss, w.r.t. the given arguments. */
function lossAndGrads(f: (...xs: ps.Tensor[]) => ps.Tensor, red: Red, r: ps.Tensor, args: ps.Tensor[], argnums: number[]): { out: ps.Tensor; grads: ps.Tensor[] } {
  const held: { out?: ps.Tensor } = {};
  const [, grads] = ps.valueAndGrad(
    (...xs: ps.Tensor[]) => {
      held.out = ps.keep(f(...xs));
      return red === 'none' ? ps.sum(ps.mul(held.out, r)) : held.out;
    },
    { argnums },
  )(...args) as [ps.Tensor, ps.Tensor[]];
  return { out: held.out!, grads };
}

describe('mseLoss vs PyTorch', () => {
  it('reduction none / sum / mean: value and both gradients', async () => {
    const m = fixture.losses.mse;
    const checks = new Checks();
    ps.tidy(() => {
      for (const red of REDUCTIONS) {
        const { out, grads } = lossAndGrads((a, b) => ps.mseLoss(a, b, { reduction: red }), red, tensorOf(m.r), [tensorOf(m.a), tensorOf(m.b)], [0, 1]);
        golden(checks, `mse ${red}: value`, out, m[red].out);
        golden(checks, `mse ${red}: gradient of input`, grads[0]!, m[red].ga);
        golden(checks, `mse ${red}: gradient of target`, grads[1]!, m[red].gb);
      }
      golden(checks, 'mse default reduction is mean', ps.mseLoss(tensorOf(m.a), tensorOf(m.b)), m.mean.out);
    });
    await checks.run();
  });
});

describe('bceLoss vs PyTorch', () => {
  it('p = 0 and 1 exactly and next to them: value (log clamped at -100) and input gradient (p - t) / max(p(1 - p), 1e-12)', async () => {
    const b = fixture.losses.bce;
    const checks = new Checks();
    ps.tidy(() => {
      for (const red of REDUCTIONS) {
        const { out, grads } = lossAndGrads((p, t) => ps.bceLoss(p, t, { reduction: red }), red, tensorOf(b.r), [tensorOf(b.p), tensorOf(b.t)], [0]);
        // Relative everywhere; the absolute floor only covers p = 1e-30, t = 0, where torch 1.13's
        // log(1 − p) gives 0 and our log1p(−p) the true 1e-30.
        golden(checks, `bce ${red}: value`, out, b[red].out, { atol: 1e-29 });
        golden(checks, `bce ${red}: gradient of p`, grads[0]!, b[red].gp, { atol: 0 });
      }
    });
    await checks.run();
  });

  it('target gradient = max(log(1 - p), -100) - max(log p, -100): PyTorch where the clamp is inactive; the clamped derivative (finite) where it is', async () => {
    // PyTorch's target gradient is -logit(p), unclamped: ±inf at p = 0 and 1, and -logit(p) for a
    // subnormal p although its forward clamps log p at -100 there. Ours is the derivative of the
    // loss actually computed, so it is finite and consistent with the forward value.
    const b = fixture.losses.bce;
    const p = arr(b.p).data;
    const clampActive = (v: number) => !(Math.log(v) > -100 && Math.log1p(-v) > -100);
    const checks = new Checks();
    ps.tidy(() => {
      for (const red of REDUCTIONS) {
        const { grads } = lossAndGrads((pt, t) => ps.bceLoss(pt, t, { reduction: red }), red, tensorOf(b.r), [tensorOf(b.p), tensorOf(b.t)], [1]);
        const torch = arr(b[red].gt).data;
        const r = red === 'none' ? arr(b.r).data : null;
        const scale = red === 'mean' ? 1 / p.length : 1;
        const expected = Float64Array.from(p, (v, i) => {
          if (!clampActive(v)) return torch[i]!;
          const d = Math.max(Math.log1p(-v), -100) - Math.max(Math.log(v), -100);
          return d * (r ? r[i]! : 1) * scale;
        });
        checks.add(`bce ${red}: gradient of target`, grads[0]!, { data: expected, shape: b.p.shape }, { rtol: 1e-4, atol: 0 });
      }
    });
    await checks.run();
  });

  it('target gradient agrees with finite differences of the GPU loss for p in the interior', async () => {
    const rng = new Rng(41);
    const p = rng.array([3, 4], 0.05, 0.95);
    const t = rng.array([3, 4], 0, 1);
    const w = rng.array([3, 4]);
    const checks = new Checks();
    ps.tidy(() => {
      gradCheck(checks, {
        what: 'bceLoss (none), weighted sum',
        inputs: [p, t],
        gpu: (pt, tt) => ps.sum(ps.mul(ps.bceLoss(pt, tt, { reduction: 'none' }), tensorOf(w))),
        cpu: (pa, ta) => pa.data.reduce((s, v, i) => s - w.data[i]! * (ta.data[i]! * Math.log(v) + (1 - ta.data[i]!) * Math.log1p(-v)), 0),
        tol: { rtol: 1e-4 },
        gpuFd: { samples: 4, eps: 1e-3, rtol: 2e-2 },
      });
    });
    await checks.run();
  });
});

describe('crossEntropy vs PyTorch', () => {
  it('int32 labels, reduction none / sum / mean, logits up to ±100 and near 500: value and logits gradient', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      fixture.losses.crossEntropy.forEach((c, k) => {
        const labels = tensorOf(c.labels, 'int32');
        for (const red of REDUCTIONS) {
          const { out, grads } = lossAndGrads((l) => ps.crossEntropy(l, labels, { reduction: red }), red, tensorOf(c.r), [tensorOf(c.logits)], [0]);
          golden(checks, `crossEntropy case ${k} ${red}: value`, out, c[red].out);
          golden(checks, `crossEntropy case ${k} ${red}: gradient`, grads[0]!, c[red].g);
        }
      });
    });
    await checks.run();
  });

  it('an out-of-range label gives NaN for its sample (and the mean), not a wrong number; label checks', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const logits = ps.tensor([[1, 2, 3], [0, 0, 0], [3, 2, 1], [1, 1, 1]]);
      const labels = ps.tensor([2, 3, -1, 0], [4], 'int32');
      const lse = (xs: number[]) => Math.log(xs.reduce((s, v) => s + Math.exp(v), 0));
      checks.add('per sample', ps.crossEntropy(logits, labels, { reduction: 'none' }), [lse([1, 2, 3]) - 3, NaN, NaN, Math.log(3)], { rtol: 1e-6 });
      checks.add('mean', ps.crossEntropy(logits, labels), [NaN]);
      expect(thrown(() => ps.crossEntropy(logits, ps.tensor([0, 1, 2, 0]))).message).toMatch(/crossEntropy: labels must be int32 class indices, got float32/);
      expect(thrown(() => ps.crossEntropy(logits, ps.tensor([0, 1], [2], 'int32'))).message).toMatch(/labels must be \[4\] for logits \[4,3\], got \[2\]/);
      expect(thrown(() => ps.crossEntropy(logits, labels, { reduction: 'avg' as Red })).message).toMatch(/reduction must be 'mean', 'sum' or 'none'/);
    });
    await checks.run();
  });
});

describe('klDiagGaussians vs torch.distributions.kl_divergence', () => {
  it('per sample over all non-batch axes: value and the gradients of all four arguments', async () => {
    const k = fixture.losses.kl;
    const checks = new Checks();
    ps.tidy(() => {
      const { out, grads } = lossAndGrads(
        (a, b, c, d) => ps.klDiagGaussians(a, b, c, d),
        'none',
        tensorOf(k.r),
        [tensorOf(k.mu0), tensorOf(k.logvar0), tensorOf(k.mu1), tensorOf(k.logvar1)],
        [0, 1, 2, 3],
      );
      golden(checks, 'kl: value', out, k.out);
      ['mu0', 'logvar0', 'mu1', 'logvar1'].forEach((n, i) => golden(checks, `kl: gradient of ${n}`, grads[i]!, k.grads[i]!));
      expect(thrown(() => ps.klDiagGaussians(ps.zeros([2, 3]), ps.zeros([2, 3]), ps.zeros([2, 3]), ps.zeros([3, 2]))).message).toMatch(/all four tensors must have the same shape/);
    });
    await checks.run();
  });
});

describe('fused elementwise ops', () => {
  it('broadcast operands get gradients summed back to their shapes; scalar operands get none', async () => {
    const rng = new Rng(51);
    const a = rng.array([2, 3, 4]);
    const b = rng.array([3, 1]);
    const c = rng.array([4]);
    const w = rng.array([2, 3, 4]);
    const checks = new Checks();
    ps.tidy(() => {
      gradCheck(checks, {
        what: 'fused a·b² + c³·s (broadcast [2,3,4], [3,1], [4], scalar s)',
        inputs: [a, b, c],
        gpu: (at, bt, ct) =>
          ps.sum(
            ps.mul(
              fused('test', { expr: 'a * b * b + c * c * c * s', grads: { a: 'dy * b * b', b: '2.0 * dy * a * b', c: '3.0 * dy * c * c * s' } }, [
                { name: 'a', value: at },
                { name: 'b', value: bt },
                { name: 'c', value: ct },
                { name: 's', value: 0.75 },
              ]),
              tensorOf(w),
            ),
          ),
        cpu: (aa, ba, ca) => {
          let s = 0;
          for (let i = 0; i < 24; i++) {
            const j = Math.floor(i / 4) % 3;
            const k = i % 4;
            s += w.data[i]! * (aa.data[i]! * ba.data[j]! ** 2 + ca.data[k]! ** 3 * 0.75);
          }
          return s;
        },
        tol: { rtol: 1e-5 },
      });
    });
    await checks.run();
  });
});
