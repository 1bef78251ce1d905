// logSoftmax / softmax and the activations sigmoid, tanh, softplus (threshold 20) and ScaledTanh
// against PyTorch (test/fixtures/torch-ops.json), forward and the gradient of sum(out · r):
// axes -1, 1 and 0, long rows, logits near ±1000 (the max shift), activation inputs up to ±100 and
// around softplus's threshold.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, thrown } from './helpers/check.js';
import { fixture, golden, tensorOf } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

describe('logSoftmax / softmax vs PyTorch', () => {
  it(`forward and input gradient for ${fixture.softmax.length} cases`, async () => {
    const checks = new Checks();
    for (const c of fixture.softmax) {
      ps.tidy(() => {
        const r = tensorOf(c.r);
        for (const name of ['logSoftmax', 'softmax'] as const) {
          const op = name === 'logSoftmax' ? ps.logSoftmax : ps.softmax;
          const held: { out?: ps.Tensor } = {};
          const gx = ps.grad((x: ps.Tensor) => {
            held.out = ps.keep(op(x, c.axis));
            return ps.sum(ps.mul(held.out, r));
          })(tensorOf(c.x)) as ps.Tensor;
          golden(checks, `${name} ${c.name}: output`, held.out!, c[name].out);
          golden(checks, `${name} ${c.name}: input gradient`, gx, c[name].gx);
        }
      });
    }
    await checks.run();
  });

  it('the default axis is the last; a bad axis or an int32 input throws', async () => {
    const c = fixture.softmax[0]!;
    const checks = new Checks();
    ps.tidy(() => {
      golden(checks, 'softmax default axis', ps.softmax(tensorOf(c.x)), c.softmax.out);
      golden(checks, 'logSoftmax default axis', ps.logSoftmax(tensorOf(c.x)), c.logSoftmax.out);
      expect(thrown(() => ps.softmax(ps.zeros([2, 3]), 2)).message).toMatch(/axis/);
      expect(thrown(() => ps.logSoftmax(ps.zeros([2, 3], 'int32'))).message).toMatch(/logSoftmax: needs a float32 tensor/);
    });
    await checks.run();
  });
});

describe('activations vs PyTorch', () => {
  it('sigmoid, tanh, softplus (threshold 20), ScaledTanh: forward and gradient, inputs up to ±100', async () => {
    const checks = new Checks();
    const scaled = new ps.nn.ScaledTanh();
    const ops: Record<string, (x: ps.Tensor) => ps.Tensor> = {
      sigmoid: ps.sigmoid,
      tanh: ps.tanh,
      softplus: ps.softplus,
      scaledTanh: (x) => scaled.forward(x),
    };
    for (const c of fixture.activations) {
      ps.tidy(() => {
        const r = tensorOf(c.r);
        const held: { out?: ps.Tensor } = {};
        const gx = ps.grad((x: ps.Tensor) => {
          held.out = ps.keep(ops[c.name]!(x));
          return ps.sum(ps.mul(held.out, r));
        })(tensorOf(c.x)) as ps.Tensor;
        // Outputs: no cancellation, so every element is checked relatively; the absolute floor is
        // below float32's normal range (sigmoid(-100) = 3.7e-44 may be flushed to 0).
        golden(checks, `${c.name}: output`, held.out!, c.out, { atol: 1e-37 });
        // Gradients are computed from the float32 output, y(1 − y) and 1 − y² (as PyTorch's float32
        // backward does): where y is within a few ulps of ±1 they carry an absolute error of a few
        // ulps of 1 (·|r|), however small the true derivative (sigmoid'(19.9) = 2e-9 comes out 0).
        golden(checks, `${c.name}: input gradient`, gx, c.gx, { atolRel: 1e-6 });
      });
    }
    ps.tidy(() => {
      const layers = [new ps.nn.Sigmoid(), new ps.nn.Tanh()];
      const c = fixture.activations;
      golden(checks, 'nn.Sigmoid', layers[0]!.forward(tensorOf(c[0]!.x)), c[0]!.out, { atol: 1e-37 });
      golden(checks, 'nn.Tanh', layers[1]!.forward(tensorOf(c[1]!.x)), c[1]!.out, { atol: 1e-37 });
    });
    await checks.run();
  });
});
