// conv2d against PyTorch (test/fixtures/torch-ops.json): stride, padding (symmetric and per axis),
// non-square kernels, 1×1 as matmul, 1×1 with stride 4 on one channel, tiny channel counts,
// larger ones, shapes that are no multiple of any tile, bias or not, fused activations — forward
// and the input, weight and bias gradients of sum(out · r). The op picks the kernels per adapter
// (the row-segment kernels on CPU adapters: `subgroup` in Node and Chromium, `register` in Deno;
// the tiled GEMM and the direct kernel elsewhere), so the other families are also run directly on
// every case here; conv-kernels.test.ts forces every variant and tile option at small shapes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { convGeometry } from '../../src/ops/conv.js';
import {
  convForwardDirect,
  convForwardGemm,
  convForwardLanes,
  convInputGrad,
  convInputGradLanes,
  convWeightGradLanes,
  convWeightGradPartials,
} from '../../src/ops/conv-kernel.js';
import { Checks, thrown, toTensor } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import type { Arr } from './helpers/ref.js';
import { Rng } from './helpers/rng.js';
import { arr, fixture, gen, golden, type ConvCase } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

function inputs(c: ConvCase): { x: Arr; w: Arr; b: Arr | null; r: Arr } {
  if (c.gen) {
    const g = (k: 'x' | 'w' | 'b' | 'r') => gen(c.gen![k][0], c.gen![k][1], c.gen![k][2]);
    return { x: g('x'), w: g('w'), b: c.bias ? g('b') : null, r: g('r') };
  }
  return { x: arr(c.x!), w: arr(c.w!), b: c.b ? arr(c.b) : null, r: arr(c.r!) };
}

/** The gradient reaching the convolution itself: r times the activation's derivative (from the golden output). */
function preActivationGrad(c: ConvCase, r: Arr): Arr {
  const y = arr(c.out).data;
  const d = r.data.map((v, i) => {
    const o = y[i]!;
    switch (c.activation) {
      case 'relu':
        return o > 0 ? v : 0;
      case 'sigmoid':
        return v * o * (1 - o);
      case 'tanh':
        return v * (1 - o * o);
      default:
        return v;
    }
  });
  return { data: Float64Array.from(d, Math.fround), shape: r.shape };
}

describe('conv2d vs PyTorch', () => {
  it(`forward, input / weight / bias gradients for ${fixture.conv2d.length} cases (direct, 1×1 matmul, GEMM paths)`, async () => {
    const checks = new Checks();
    for (const c of fixture.conv2d) {
      ps.tidy(() => {
        const v = inputs(c);
        const r = toTensor(v.r);
        const opts: ps.Conv2dOptions = { stride: c.stride, padding: c.padding, activation: c.activation };
        const held: { out?: ps.Tensor } = {};
        const f = (x: ps.Tensor, w: ps.Tensor, b: ps.Tensor | null) => {
          held.out = ps.keep(ps.conv2d(x, w, b, opts));
          return ps.sum(ps.mul(held.out, r));
        };
        const argnums = c.bias ? [0, 1, 2] : [0, 1];
        const [, grads] = ps.valueAndGrad(f, { argnums })(toTensor(v.x), toTensor(v.w), v.b ? toTensor(v.b) : null) as [ps.Tensor, ps.Tensor[]];
        golden(checks, `${c.name}: output`, held.out!, c.out);
        golden(checks, `${c.name}: input gradient`, grads[0]!, c.gx);
        golden(checks, `${c.name}: weight gradient`, grads[1]!, c.gw);
        if (c.bias) golden(checks, `${c.name}: bias gradient`, grads[2]!, c.gb!);
      });
    }
    await checks.run();
  });

  it('every kernel family (direct, implicit GEMM, lanes) on every case: forward, dgrad, wgrad', async () => {
    const checks = new Checks();
    for (const c of fixture.conv2d) {
      ps.tidy(() => {
        const v = inputs(c);
        const x = toTensor(v.x);
        const w = toTensor(v.w);
        const b = v.b ? toTensor(v.b) : null;
        const g = convGeometry('conv2d', x, w, { stride: c.stride, padding: c.padding });
        const shapeOut = [g.N, g.OC, g.OH, g.OW];
        const forwards = { direct: convForwardDirect, gemm: convForwardGemm, lanes: convForwardLanes };
        for (const [name, fn] of Object.entries(forwards)) {
          golden(checks, `${c.name}: ${name} forward`, fn(x, w, g, b, c.activation).view(shapeOut), c.out);
        }
        const dz = toTensor(preActivationGrad(c, v.r));
        golden(checks, `${c.name}: gemm dgrad`, convInputGrad(dz, w, g).view(x.shape), c.gx);
        golden(checks, `${c.name}: lanes dgrad`, convInputGradLanes(dz, w, g).view(x.shape), c.gx);
        for (const [name, fn] of [['gemm', convWeightGradPartials], ['lanes', convWeightGradLanes]] as const) {
          const { partials, splits } = fn(dz, x, g);
          const summed = splits === 1 ? partials : ps.sum(partials.view([splits, w.size]), 0);
          golden(checks, `${c.name}: ${name} wgrad (${splits} partial sums)`, summed.view(w.shape), c.gw);
        }
      });
    }
    await checks.run();
  });

  it('the weight gradient is split into partial sums on the large case (the path the check above covers)', () => {
    const c = fixture.conv2d.find((k) => k.gen)!;
    ps.tidy(() => {
      const v = inputs(c);
      const x = toTensor(v.x);
      const g = convGeometry('conv2d', x, toTensor(v.w), { stride: c.stride, padding: c.padding });
      const dz = toTensor(v.r);
      expect(convWeightGradPartials(dz, x, g).splits).toBeGreaterThan(1);
      expect(convWeightGradLanes(dz, x, g).splits).toBeGreaterThan(1);
    });
  });

  it('fused activation gradients agree with finite differences of the GPU loss (direct and GEMM-sized cases)', async () => {
    const rng = new Rng(31);
    const checks = new Checks();
    ps.tidy(() => {
      for (const [oc, act] of [[3, 'tanh'], [9, 'sigmoid']] as const) {
        const x = rng.array([2, 3, 5, 4]);
        const w = rng.array([oc, 3, 3, 3], -0.4, 0.4);
        const b = rng.array([oc], -0.3, 0.3);
        const r = rng.array([2, oc, 3, 2]); // output 3×2
        gradCheck(checks, {
          what: `conv2d ${oc} channels, stride 2, padding 1, ${act}`,
          inputs: [x, w, b],
          gpu: (xt, wt, bt) => ps.sum(ps.mul(ps.conv2d(xt, wt, bt, { stride: 2, padding: 1, activation: act }), toTensor(r))),
          cpu: (xa, wa, ba) => {
            // float64 direct convolution
            let s = 0;
            for (let n = 0; n < 2; n++)
              for (let o = 0; o < oc; o++)
                for (let oh = 0; oh < 3; oh++)
                  for (let ow = 0; ow < 2; ow++) {
                    let acc = ba.data[o]!;
                    for (let ci = 0; ci < 3; ci++)
                      for (let kh = 0; kh < 3; kh++)
                        for (let kw = 0; kw < 3; kw++) {
                          const ih = oh * 2 + kh - 1;
                          const iw = ow * 2 + kw - 1;
                          if (ih < 0 || ih >= 5 || iw < 0 || iw >= 4) continue;
                          acc += xa.data[((n * 3 + ci) * 5 + ih) * 4 + iw]! * wa.data[((o * 3 + ci) * 3 + kh) * 3 + kw]!;
                        }
                    const y = act === 'tanh' ? Math.tanh(acc) : 1 / (1 + Math.exp(-acc));
                    s += y * r.data[((n * oc + o) * 3 + oh) * 2 + ow]!;
                  }
            return s;
          },
          tol: { rtol: 1e-4 },
          gpuFd: { samples: 3, eps: 1e-2, rtol: 2e-2 },
        });
      }
    });
    await checks.run();
  });

  it('shape errors name the op and the shapes', () => {
    ps.tidy(() => {
      const x = ps.zeros([8, 3, 32, 32]);
      expect(thrown(() => ps.conv2d(x, ps.zeros([16, 1, 3, 3]))).message).toBe(
        'conv2d: input has 3 channels but weight expects 1 (input [8,3,32,32], weight [16,1,3,3])',
      );
      expect(thrown(() => ps.conv2d(x, ps.zeros([16, 3, 3, 3]), ps.zeros([15]))).message).toMatch(/bias must be \[16\], got \[15\]/);
      expect(thrown(() => ps.conv2d(x, ps.zeros([4, 3, 35, 3]))).message).toMatch(/kernel 35x3 is larger than the padded input 32x32/);
      expect(thrown(() => ps.conv2d(x, ps.zeros([4, 3, 3, 3]), null, { stride: 0 })).message).toMatch(/stride must be an integer ≥ 1/);
      expect(thrown(() => ps.conv2d(ps.zeros([3, 32, 32]), ps.zeros([4, 3, 3, 3]))).message).toMatch(/input must be \[N, C, H, W\], got \[3,32,32\]/);
      expect(thrown(() => ps.conv2d(x, ps.zeros([4, 3, 3, 3]), null, { activation: 'gelu' as ps.Activation })).message).toMatch(/unknown activation 'gelu'/);
    });
  });
});
