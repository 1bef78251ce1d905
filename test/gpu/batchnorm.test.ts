// batchNorm against PyTorch's F.batch_norm (test/fixtures/torch-ops.json): training mode normalises
// with the biased batch variance and updates the running statistics in place with the unbiased
// one; evaluation mode uses the running statistics. Gradients w.r.t. input, weight and bias in
// both modes, [N,C] and [N,C,H,W] inputs, with and without the affine parameters, a non-default
// momentum and eps, and inputs whose mean is far from 0. Then nn.BatchNorm2d on top.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, thrown } from './helpers/check.js';
import { fixture, golden, tensorOf, type BatchNormCase } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

describe('batchNorm vs PyTorch', () => {
  it(`output, running statistics and gradients for ${fixture.batchNorm.length} cases (training and eval)`, async () => {
    const checks = new Checks();
    for (const c of fixture.batchNorm) {
      ps.tidy(() => {
        const rm = ps.keep(tensorOf(c.runningMean));
        const rv = ps.keep(tensorOf(c.runningVar));
        const r = tensorOf(c.r);
        const affine = c.weight !== undefined;
        const held: { out?: ps.Tensor } = {};
        const f = (x: ps.Tensor, w: ps.Tensor | null, b: ps.Tensor | null) => {
          held.out = ps.keep(ps.batchNorm(x, rm, rv, w, b, { training: c.training, momentum: c.momentum, eps: c.eps }));
          return ps.sum(ps.mul(held.out, r));
        };
        const args = [tensorOf(c.x), affine ? tensorOf(c.weight!) : null, affine ? tensorOf(c.bias!) : null] as const;
        const [, grads] = ps.valueAndGrad(f, { argnums: affine ? [0, 1, 2] : [0] })(...args) as [ps.Tensor, ps.Tensor[]];
        golden(checks, `${c.name}: output`, held.out!, c.out);
        golden(checks, `${c.name}: input gradient`, grads[0]!, c.gx);
        if (affine) {
          golden(checks, `${c.name}: weight gradient`, grads[1]!, c.gw!);
          golden(checks, `${c.name}: bias gradient`, grads[2]!, c.gb!);
        }
        golden(checks, `${c.name}: running mean after`, rm, c.runningMeanAfter);
        golden(checks, `${c.name}: running var after`, rv, c.runningVarAfter);
      });
    }
    await checks.run();
  });

  it('argument errors', () => {
    ps.tidy(() => {
      const x = ps.zeros([4, 3, 2, 2]);
      expect(thrown(() => ps.batchNorm(x, ps.zeros([2]), ps.ones([3]))).message).toMatch(/batchNorm: runningMean must be \[3\] for input \[4,3,2,2\], got \[2\]/);
      expect(thrown(() => ps.batchNorm(x, null, null)).message).toMatch(/evaluation mode needs runningMean and runningVar/);
      expect(thrown(() => ps.batchNorm(ps.zeros([1, 3]), null, null, null, null, { training: true })).message).toMatch(/more than 1 value per channel/);
      expect(thrown(() => ps.batchNorm(x, null, null, null, null, { training: true, eps: 0 })).message).toMatch(/eps must be > 0/);
    });
  });
});

describe('nn.BatchNorm2d', () => {
  function moduleCase(c: BatchNormCase, checks: Checks, what: string): ps.nn.Module {
    const C = c.x.shape[1]!;
    const bn = new ps.nn.BatchNorm2d(C, { momentum: c.momentum, eps: c.eps });
    bn.loadStateDict({
      weight: tensorOf(c.weight!),
      bias: tensorOf(c.bias!),
      running_mean: tensorOf(c.runningMean),
      running_var: tensorOf(c.runningVar),
      num_batches_tracked: ps.full([], 3, 'int32'),
    });
    if (!c.training) bn.eval();
    golden(checks, `${what}: output`, bn.forward(tensorOf(c.x)), c.out);
    golden(checks, `${what}: running_mean`, bn.running_mean, c.runningMeanAfter);
    golden(checks, `${what}: running_var`, bn.running_var, c.runningVarAfter);
    checks.add(`${what}: num_batches_tracked`, bn.num_batches_tracked, [c.training ? 4 : 3], { rtol: 0, atol: 0, dtype: 'int32' });
    return bn;
  }

  it('training and eval forward with loaded state, [N,C,H,W] and [N,C]; num_batches_tracked counts training batches', async () => {
    const checks = new Checks();
    const modules = ps.tidy(() => fixture.batchNorm.filter((k) => k.weight !== undefined).map((c) => moduleCase(c, checks, `BatchNorm2d ${c.name}`)));
    await checks.run();
    for (const m of modules) m.dispose();
  });
});
