// maxPool2d and upsampleNearest against PyTorch (test/fixtures/torch-ops.json): floor on odd
// sizes, ties (the gradient goes to the first maximum in row-major window order, as PyTorch's CPU
// kernel does — the fixture script checks that torch does exactly this), overlapping windows
// (stride < kernel: gradients accumulate), gaps (stride > kernel), rectangular kernels and strides,
// all-negative windows, NaN (it wins; of several, the last, as in PyTorch); integer scale factors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, thrown } from './helpers/check.js';
import { fixture, golden, tensorOf } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

describe('maxPool2d vs PyTorch', () => {
  it(`forward and input gradient for ${fixture.maxPool2d.length} cases (ties, overlaps, gaps, NaN)`, async () => {
    const checks = new Checks();
    for (const c of fixture.maxPool2d) {
      ps.tidy(() => {
        const r = tensorOf(c.r);
        const held: { out?: ps.Tensor } = {};
        const gx = ps.grad((x: ps.Tensor) => {
          held.out = ps.keep(c.stride ? ps.maxPool2d(x, c.kernel, c.stride) : ps.maxPool2d(x, c.kernel));
          return ps.sum(ps.mul(held.out, r));
        })(tensorOf(c.x)) as ps.Tensor;
        // Exact: max pooling selects, and a gradient element is a sum of at most a few r values.
        golden(checks, `${c.name}: output`, held.out!, c.out, { rtol: 0, atol: 0 });
        golden(checks, `${c.name}: input gradient`, gx, c.gx, { rtol: 1e-6, atol: 1e-7 });
      });
    }
    await checks.run();
  });

  it('nn.MaxPool2d with a kernel pair and the default stride; errors name the shapes', async () => {
    const c = fixture.maxPool2d.find((k) => k.kernel[0] !== k.kernel[1])!;
    const checks = new Checks();
    ps.tidy(() => {
      const pool = new ps.nn.MaxPool2d(c.kernel, c.stride ?? undefined);
      golden(checks, 'MaxPool2d module', pool.forward(tensorOf(c.x)), c.out, { rtol: 0, atol: 0 });
      expect(thrown(() => ps.maxPool2d(ps.zeros([1, 1, 3, 3]), 4)).message).toBe('maxPool2d: kernel 4x4 is larger than the input 3x3 ([1,1,3,3])');
      expect(thrown(() => ps.maxPool2d(ps.zeros([3, 3]), 2)).message).toMatch(/maxPool2d: input must be a float32 \[N, C, H, W\] tensor, got float32 \[3,3\]/);
      expect(thrown(() => ps.maxPool2d(ps.zeros([1, 1, 4, 4]), 2, 0)).message).toMatch(/stride must be an integer ≥ 1/);
    });
    await checks.run();
  });
});

describe('upsampleNearest vs PyTorch', () => {
  it(`forward and input gradient for ${fixture.upsampleNearest.length} scale factors (2, (3,2), 1)`, async () => {
    const checks = new Checks();
    for (const c of fixture.upsampleNearest) {
      ps.tidy(() => {
        const r = tensorOf(c.r);
        const held: { out?: ps.Tensor } = {};
        const gx = ps.grad((x: ps.Tensor) => {
          held.out = ps.keep(ps.upsampleNearest(x, c.scale));
          return ps.sum(ps.mul(held.out, r));
        })(tensorOf(c.x)) as ps.Tensor;
        golden(checks, `${c.name}: output`, held.out!, c.out, { rtol: 0, atol: 0 });
        golden(checks, `${c.name}: input gradient (block sums)`, gx, c.gx, { rtol: 1e-6, atol: 1e-7 });
        const scaleFactor = typeof c.scale === 'number' ? c.scale : (c.scale as [number, number]);
        golden(checks, `${c.name}: nn.UpsamplingNearest2d`, new ps.nn.UpsamplingNearest2d({ scaleFactor }).forward(tensorOf(c.x)), c.out, { rtol: 0, atol: 0 });
      });
    }
    ps.tidy(() => {
      expect(thrown(() => ps.upsampleNearest(ps.zeros([1, 1, 2, 2]), 1.5)).message).toMatch(/upsampleNearest: scale must be an integer ≥ 1/);
    });
    await checks.run();
  });
});
