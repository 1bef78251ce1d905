// The two layouts of the middle-axis reduction kernel (src/ops/reduce-kernel.ts), each forced:
// one invocation per output (`per_thread`, chosen on CPU adapters) and one workgroup per output
// with a tree in workgroup memory (`per_workgroup`, chosen on GPUs for long contiguous rows) — so
// both run whatever the adapter. Long rows, the two-pass path (few outputs, very long rows), NaN
// propagation of max, against the float64 reference.
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as ps from 'perturbset';
import { forceReduceLayout } from '../../src/ops/reduce-kernel.js';
import { Checks, toTensor } from './helpers/check.js';
import * as ref from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

beforeAll(async () => {
  await ps.init();
});

afterAll(() => {
  forceReduceLayout(null);
});

describe('reduction layouts', () => {
  for (const layout of ['per_thread', 'per_workgroup'] as const) {
    it(`${layout}: sum, mean, max, min over long rows and axis lists`, async () => {
      const rng = new Rng(layout === 'per_thread' ? 3 : 4);
      const checks = new Checks();
      forceReduceLayout(layout);
      try {
        // Sequential float32 sums of up to 20000 values in [-2, 2]: absolute errors of ~3e-5.
        const tol = { rtol: 1e-5, atol: 2e-4 };
        for (const [shape, axes] of [
          [[6, 1000], 1],
          [[3, 5, 777], [1, 2]],
          [[4, 3, 14, 14], [0, 2, 3]],
          [[2, 20000], 1],
        ] as [number[], number | number[]][]) {
          const x = rng.array(shape, -2, 2);
          for (const kind of ['sum', 'mean', 'max', 'min'] as const) {
            checks.add(`${layout} ${kind} [${shape}] over ${JSON.stringify(axes)}`, ps[kind](toTensor(x), axes), ref.reduce(x, kind, axes), tol);
          }
        }
        const withNaN = rng.array([2, 300], -1, 1);
        withNaN.data[417] = NaN;
        checks.add(`${layout} max with a NaN`, ps.max(toTensor(withNaN), 1), ref.reduce(withNaN, 'max', 1));
      } finally {
        forceReduceLayout(null);
      }
      await checks.run();
    });
  }
});
