// The two kernel layouts of maxPool2d and upsampleNearest (src/ops/pool.ts: one invocation per
// element on GPUs, one per row on CPU adapters), each forced on every PyTorch fixture case of
// pool.test.ts (which runs the layout chosen for the adapter): ties, overlapping windows (the row
// backward falls back to the element kernel), gaps and floor leftovers (zero-filled), NaN.
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as ps from 'perturbset';
import { forcePoolRowKernels } from '../../src/ops/pool.js';
import { Checks } from './helpers/check.js';
import { fixture, golden, tensorOf } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

afterAll(() => {
  forcePoolRowKernels(null);
});

describe('maxPool2d and upsampleNearest, row and element kernels', () => {
  for (const rows of [true, false]) {
    it(`${rows ? 'row' : 'element'} kernels: forward and input gradient on every fixture case`, async () => {
      forcePoolRowKernels(rows);
      const checks = new Checks();
      try {
        for (const c of fixture.maxPool2d) {
          ps.tidy(() => {
            const r = tensorOf(c.r);
            const held: { out?: ps.Tensor } = {};
            const gx = ps.grad((x: ps.Tensor) => {
              held.out = ps.keep(c.stride ? ps.maxPool2d(x, c.kernel, c.stride) : ps.maxPool2d(x, c.kernel));
              return ps.sum(ps.mul(held.out, r));
            })(tensorOf(c.x)) as ps.Tensor;
            golden(checks, `maxPool2d ${c.name}: output`, held.out!, c.out, { rtol: 0, atol: 0 });
            golden(checks, `maxPool2d ${c.name}: input gradient`, gx, c.gx, { rtol: 1e-6, atol: 1e-7 });
          });
        }
        for (const c of fixture.upsampleNearest) {
          ps.tidy(() => {
            const r = tensorOf(c.r);
            const held: { out?: ps.Tensor } = {};
            const gx = ps.grad((x: ps.Tensor) => {
              held.out = ps.keep(ps.upsampleNearest(x, c.scale));
              return ps.sum(ps.mul(held.out, r));
            })(tensorOf(c.x)) as ps.Tensor;
            golden(checks, `upsampleNearest ${c.name}: output`, held.out!, c.out, { rtol: 0, atol: 0 });
            golden(checks, `upsampleNearest ${c.name}: input gradient`, gx, c.gx, { rtol: 1e-6, atol: 1e-7 });
          });
        }
      } finally {
        forcePoolRowKernels(null);
      }
      await checks.run();
    });
  }
});
