// Every conv2d kernel variant, forced through the internal entry points (convForward,
// convInputGradient, convWeightGradient with `{ variant, tile }`), against a float64 CPU
// reference: forward (bias, activations), input gradient and weight gradient, at shapes that are no
// multiple of any tile (rows not divisible by the pixels per lane, channels not divisible by the
// channel blocks), strides 1 and 2, padding 0 and 1, non-square kernels, one input or one output
// channel. Tiles are forced small and shared by the cases so that few pipelines compile
// (SwiftShader and Deno compile slowly); the tiles chosen per adapter run in conv.test.ts through
// ps.conv2d. (Variants the device lacks — `subgroup` without fixed-size subgroups — are left out,
// and so are the larger weight-gradient row kernels on SwiftShader, which compiles them for
// minutes.)
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { runtime } from '../../src/gpu/runtime.js';
import { adapterKind, fixedSubgroupSize } from '../../src/gpu/adapter-kind.js';
import { convGeometry } from '../../src/ops/conv.js';
import {
  convConfig,
  convForward,
  convInputGradient,
  convWeightGradient,
  pickSegment,
  type ConvForce,
  type ConvGeometry,
} from '../../src/ops/conv-kernel.js';
import type { RowsTile } from '../../src/ops/conv-rows.js';
import { Checks, thrown, toTensor } from './helpers/check.js';
import type { Arr } from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

beforeAll(async () => {
  await ps.init();
});

interface Case {
  what: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: [number, number];
  padding: [number, number];
  bias: boolean;
  act: ps.Activation;
}

const CASES: Case[] = [
  { what: '3→5 @9×11 3×3 s1 p1, bias relu', x: [2, 3, 9, 11], w: [5, 3, 3, 3], stride: [1, 1], padding: [1, 1], bias: true, act: 'relu' },
  { what: '1→20 @8×7 3×3 s1 p0', x: [3, 1, 8, 7], w: [20, 1, 3, 3], stride: [1, 1], padding: [0, 0], bias: false, act: 'none' },
  { what: '10→1 @7×9 3×3 s2 p1, bias sigmoid', x: [2, 10, 7, 9], w: [1, 10, 3, 3], stride: [2, 2], padding: [1, 1], bias: true, act: 'sigmoid' },
  { what: '9→7 @6×5 2×3 s(2,1) p(0,1)', x: [2, 9, 6, 5], w: [7, 9, 2, 3], stride: [2, 1], padding: [0, 1], bias: false, act: 'none' },
  { what: '17→18 @5×13 3×3 s1 p1, bias tanh', x: [1, 17, 5, 13], w: [18, 17, 3, 3], stride: [1, 1], padding: [1, 1], bias: true, act: 'tanh' },
  { what: '2→9 @6×6 1×1 s1 p0', x: [2, 2, 6, 6], w: [9, 2, 1, 1], stride: [1, 1], padding: [0, 0], bias: false, act: 'none' },
];

const ACT: Record<ps.Activation, (v: number) => number> = {
  none: (v) => v,
  relu: (v) => Math.max(v, 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: (v) => Math.tanh(v),
};

/** float64 references: pre-activation output z, output act(z + b), dX and dW of sum(z · r). */
function reference(g: ConvGeometry, x: Arr, w: Arr, b: Arr | null, r: Arr, act: ps.Activation): { out: Float64Array; dx: Float64Array; dw: Float64Array } {
  const { N, C, H, W, OC, OH, OW, KH, KW } = g;
  const out = new Float64Array(N * OC * OH * OW);
  const dx = new Float64Array(N * C * H * W);
  const dw = new Float64Array(OC * C * KH * KW);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < OC; o++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const oi = ((n * OC + o) * OH + oh) * OW + ow;
          let s = 0;
          const gr = r.data[oi]!;
          for (let c = 0; c < C; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * g.strideH - g.padH + kh;
                const iw = ow * g.strideW - g.padW + kw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const xi = ((n * C + c) * H + ih) * W + iw;
                const wi = ((o * C + c) * KH + kh) * KW + kw;
                s += x.data[xi]! * w.data[wi]!;
                dx[xi]! += gr * w.data[wi]!;
                dw[wi]! += gr * x.data[xi]!;
              }
          out[oi] = ACT[act](s + (b ? b.data[o]! : 0));
        }
  return { out, dx, dw };
}

/** The variants of one pass available on this device, with forced small tiles. */
function variants(pass: 'forward' | 'dgrad' | 'wgrad', g: ConvGeometry): [string, ConvForce][] {
  const sg = fixedSubgroupSize(runtime());
  const list: [string, ConvForce][] = [['tiled', { variant: 'tiled' }]];
  const rowsOk = pass !== 'dgrad' || (g.strideH === 1 && g.strideW === 1);
  if (pass === 'forward') list.push(['direct', { variant: 'direct' }]);
  if (pass !== 'wgrad' && rowsOk) {
    if (sg > 1) list.push([`subgroup tw5 ro8`, { variant: 'subgroup', tile: { sg, tw: 5, ro: 8 } }]);
    // Blocks of 16 with the trailing channels (at most 8 of a block) as a second dispatch of 4.
    if (sg > 1) list.push([`subgroup tw5 ro16 (+ tail block)`, { variant: 'subgroup', tile: { sg, tw: 5, ro: 16 } }]);
    list.push(['register tw5 ro8', { variant: 'register', tile: { sg: 1, wg: 8, tw: 5, ro: 8 } }]);
  }
  if (pass === 'wgrad') {
    // SwiftShader compiles the weight-gradient row kernels beyond the small stride-1 wgrad_ic tile
    // for minutes, and Chromium then loses the device (see convConfig): only that one runs there.
    const swiftshader = adapterKind(runtime().adapterInfo) === 'swiftshader';
    if (sg > 1 && (!swiftshader || g.strideH === 1)) list.push(['subgroup wgrad_ic tw4 ro3', { variant: 'subgroup', wgradKind: 'wgrad_ic', tile: { sg, tw: 4, ro: 3 } }]);
    if (sg > 1 && !swiftshader) list.push(['subgroup wgrad_oc tw5 rl2 cb2', { variant: 'subgroup', wgradKind: 'wgrad_oc', tile: { sg, tw: 5, ro: 1, rl: 2, cb: 2 } }]);
    if (!swiftshader) list.push(['register wgrad_ic tw5 ro3', { variant: 'register', wgradKind: 'wgrad_ic', tile: { sg: 1, wg: 8, tw: 5, ro: 3 } }]);
    if (!swiftshader) list.push(['register wgrad_oc tw5 rl2 cb2', { variant: 'register', wgradKind: 'wgrad_oc', tile: { sg: 1, wg: 8, tw: 5, ro: 1, rl: 2, cb: 2 } }]);
  }
  if (pass === 'dgrad') list.push(['lanes', { variant: 'lanes' }]);
  if (pass !== 'dgrad') list.push(['lanes', { variant: 'lanes' }]);
  return list;
}

describe('conv2d kernels vs a float64 reference', () => {
  it('every variant: forward, input gradient, weight gradient', async () => {
    const rng = new Rng(77);
    const checks = new Checks();
    for (const c of CASES) {
      ps.tidy(() => {
        const xa = rng.array(c.x, -1, 1);
        const wa = rng.array(c.w, -0.5, 0.5);
        const ba = c.bias ? rng.array([c.w[0]], -0.5, 0.5) : null;
        const x = toTensor(xa);
        const w = toTensor(wa);
        const b = ba ? toTensor(ba) : null;
        const g = convGeometry('conv2d', x, w, { stride: c.stride, padding: c.padding });
        const ra = rng.array([g.N, g.OC, g.OH, g.OW], -1, 1);
        const dy = toTensor(ra);
        const ref = reference(g, xa, wa, ba, ra, c.act);
        const tol = { rtol: 1e-5, atol: 1e-5 };
        for (const [name, force] of variants('forward', g)) {
          checks.add(`${c.what}: ${name} forward`, convForward(x, w, g, b, c.act, force), ref.out, tol);
        }
        for (const [name, force] of variants('dgrad', g)) {
          checks.add(`${c.what}: ${name} input gradient`, convInputGradient(dy, w, g, force), ref.dx, tol);
        }
        for (const [name, force] of variants('wgrad', g)) {
          const { partials, splits } = convWeightGradient(dy, x, g, force);
          const summed = splits === 1 ? partials : ps.sum(partials.view([splits, w.size]), 0);
          checks.add(`${c.what}: ${name} weight gradient (${splits} partial sums)`, summed, ref.dw, tol);
        }
      });
    }
    await checks.run();
  });

  it('the tiles chosen for this adapter, through ps.conv2d and its gradients, on the MNIST CVAE layer shapes (batch 2)', async () => {
    const rng = new Rng(5);
    const checks = new Checks();
    // 1→32 @28 (wgrad with one input channel), 32→64 @14, 64→128 @7, 33→1 @28 (one output channel).
    for (const [C, OC, S] of [[1, 32, 28], [32, 64, 14], [64, 128, 7], [33, 1, 28]] as const) {
      ps.tidy(() => {
        const xa = rng.array([2, C, S, S], -1, 1);
        const wa = rng.array([OC, C, 3, 3], -0.2, 0.2);
        const ba = rng.array([OC], -0.5, 0.5);
        const ra = rng.array([2, OC, S, S], -1, 1);
        const g = convGeometry('conv2d', toTensor(xa), toTensor(wa), { padding: 1 });
        const ref = reference(g, xa, wa, ba, ra, 'relu');
        const r = toTensor(ra);
        const f = (xt: ps.Tensor, wt: ps.Tensor, bt: ps.Tensor) => ps.sum(ps.mul(ps.conv2d(xt, wt, bt, { padding: 1 }), r));
        const out = ps.conv2d(toTensor(xa), toTensor(wa), toTensor(ba), { padding: 1, activation: 'relu' });
        const [, grads] = ps.valueAndGrad(f, { argnums: [0, 1] })(toTensor(xa), toTensor(wa), toTensor(ba)) as [ps.Tensor, ps.Tensor[]];
        const tol = { rtol: 1e-4, atol: 1e-4 };
        checks.add(`${C}→${OC} @${S}: forward`, out, ref.out, tol);
        checks.add(`${C}→${OC} @${S}: input gradient`, grads[0]!, ref.dx, tol);
        checks.add(`${C}→${OC} @${S}: weight gradient`, grads[1]!, ref.dw, tol);
      });
    }
    await checks.run();
  });

  it('chooses row kernels on CPU adapters and the tiled GEMM elsewhere; pixels per lane waste the least', () => {
    const rt = runtime();
    const g = convGeometry('conv2d', ps.zeros([1, 32, 14, 14]), ps.zeros([64, 32, 3, 3]), { padding: 1 });
    const kind = adapterKind(rt.adapterInfo);
    for (const pass of ['forward', 'dgrad', 'wgrad'] as const) {
      const c = convConfig(rt, pass, g);
      if (kind === 'gpu') expect(c.variant).toBe('tiled');
      else expect(c.variant).toBe(fixedSubgroupSize(rt) > 1 ? 'subgroup' : 'register');
    }
    expect([28, 14, 7].map(pickSegment)).toEqual([7, 7, 7]);
    expect([32, 16, 8, 5, 13].map(pickSegment)).toEqual([8, 8, 8, 5, 7]);
  });

  it('forced tiles are validated and strided input gradients refuse the row kernels', () => {
    ps.tidy(() => {
      const x = ps.zeros([1, 2, 6, 6]);
      const w = ps.zeros([4, 2, 3, 3]);
      const g = convGeometry('conv2d', x, w, { stride: 2 });
      const bad: RowsTile = { sg: 1, tw: 5, ro: 6 };
      expect(thrown(() => convForward(x, w, g, null, 'none', { variant: 'register', tile: bad })).message).toMatch(/ro must be a multiple of 4/);
      expect(thrown(() => convInputGradient(ps.zeros([1, 4, 2, 2]), w, g, { variant: 'register' })).message).toMatch(/needs stride 1/);
    });
  });
});
