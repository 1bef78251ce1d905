import convSource from '../../shaders/conv2d.wgsl';
import directSource from '../../shaders/conv2d_direct.wgsl';
import lanesSource from '../../shaders/conv2d_lanes.wgsl';
import { adapterKind, fixedSubgroupSize } from '../gpu/adapter-kind.js';
import { foldWorkgroups, launch } from '../gpu/kernel.js';
import { runtime, type Runtime } from '../gpu/runtime.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody, shaderSection } from '../gpu/wgsl.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';
import { ACTIVATIONS, type Activation } from './activations.js';
import { packWeights, rowsForward, rowsWgrad, validateRowsTile, type RowsTile } from './conv-rows.js';

/** Sizes of a 2-D convolution (NCHW input, [OC, C, KH, KW] weights). */
export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
}

interface GemmTile {
  wgX: number;
  wgY: number;
  rm: number;
  tileK: number;
}

const TILE: GemmTile = { wgX: 8, wgY: 8, rm: 4, tileK: 16 };

// The gathers of the three implicit GEMMs (see shaders/conv2d.wgsl). Index decompositions:
// k = (ic·KH + kh)·KW + kw for weights, n = oh·OW + ow for output pixels.
const GATHERS = {
  forward: {
    a: 'return a[m * p.K + k];',
    b: `let kw = k % p.KW;
  let kh = (k / p.KW) % p.KH;
  let ic = k / (p.KW * p.KH);
  let ih = i32((n / p.OW) * p.stride_h + kh) - i32(p.pad_h);
  let iw = i32((n % p.OW) * p.stride_w + kw) - i32(p.pad_w);
  if (ih < 0 || ih >= i32(p.H) || iw < 0 || iw >= i32(p.W)) { return 0.0; }
  return b[((z * p.C + ic) * p.H + u32(ih)) * p.W + u32(iw)];`,
  },
  // dX[ic, (ih, iw)] = Σ W[oc, ic, kh, kw] · dY[oc, oh, ow] over oh·s − pad + kh = ih.
  dgrad: {
    a: `let kw = k % p.KW;
  let kh = (k / p.KW) % p.KH;
  let oc = k / (p.KW * p.KH);
  return a[((oc * p.C + m) * p.KH + kh) * p.KW + kw];`,
    b: `let kw = k % p.KW;
  let kh = (k / p.KW) % p.KH;
  let oc = k / (p.KW * p.KH);
  let th = i32(n / p.W + p.pad_h) - i32(kh);
  let tw = i32(n % p.W + p.pad_w) - i32(kw);
  if (th < 0 || tw < 0) { return 0.0; }
  let uh = u32(th);
  let uw = u32(tw);
  if (uh % p.stride_h != 0u || uw % p.stride_w != 0u) { return 0.0; }
  let oh = uh / p.stride_h;
  let ow = uw / p.stride_w;
  if (oh >= p.OH || ow >= p.OW) { return 0.0; }
  return b[((z * p.OC + oc) * p.OH + oh) * p.OW + ow];`,
  },
  // dW[oc, (ic, kh, kw)] = Σ over (n, oh, ow) of dY[n, oc, oh, ow] · X[n, ic, oh·s − pad + kh, …].
  wgrad: {
    a: `let pix = k % (p.OH * p.OW);
  let nb = k / (p.OH * p.OW);
  return a[(nb * p.OC + m) * (p.OH * p.OW) + pix];`,
    b: `let kw = n % p.KW;
  let kh = (n / p.KW) % p.KH;
  let ic = n / (p.KW * p.KH);
  let pix = k % (p.OH * p.OW);
  let nb = k / (p.OH * p.OW);
  let ih = i32((pix / p.OW) * p.stride_h + kh) - i32(p.pad_h);
  let iw = i32((pix % p.OW) * p.stride_w + kw) - i32(p.pad_w);
  if (ih < 0 || ih >= i32(p.H) || iw < 0 || iw >= i32(p.W)) { return 0.0; }
  return b[((nb * p.C + ic) * p.H + u32(ih)) * p.W + u32(iw)];`,
  },
} as const;

type GemmKind = keyof typeof GATHERS;

interface GemmLaunch {
  op: string;
  kind: GemmKind;
  a: Tensor;
  b: Tensor;
  g: ConvGeometry;
  M: number;
  N: number;
  K: number;
  batches: number;
  kChunk: number;
  outSize: number;
  bias?: Tensor | null;
  activation?: Activation;
}

function convGemm(l: GemmLaunch): Tensor {
  const { op, kind, g, M, N, K } = l;
  const out = allocTensor([l.outSize], 'float32');
  if (l.outSize === 0) return out;
  const bias = l.bias ?? null;
  const act = l.activation ?? 'none';
  const store =
    kind === 'forward'
      ? `var o = v;\n  ${bias ? 'o += bias[m];' : ''}\n  out[(z * p.OC + m) * p.N + n] = ${ACTIVATIONS[act].expr.replace(/\bv\b/g, 'o')};`
      : kind === 'dgrad'
        ? 'out[(z * p.C + m) * p.N + n] = v;'
        : 'out[(z * p.M + m) * p.N + n] = v;';
  const key = `conv|${kind}|${bias ? 'bias' : ''}|${act}|${TILE.wgX}x${TILE.wgY}x${TILE.rm}x${TILE.tileK}`;
  const wgsl = (): string => {
    const bindings = [
      ...(bias ? ['@group(0) @binding(2) var<storage, read> bias: array<f32>;'] : []),
      `@group(0) @binding(${bias ? 3 : 2}) var<storage, read_write> out: array<f32>;`,
      `@group(0) @binding(${bias ? 4 : 3}) var<uniform> p: Params;`,
    ];
    return (
      WGSL_COMMON +
      fillTemplate(shaderBody(convSource), {
        WG_X: TILE.wgX,
        WG_Y: TILE.wgY,
        RM: TILE.rm,
        TILE_K: TILE.tileK,
        LOAD_A: GATHERS[kind].a,
        LOAD_B: GATHERS[kind].b,
        STORE: store,
        BINDINGS: bindings.join('\n'),
      })
    );
  };
  const tileM = TILE.wgY * TILE.rm;
  const rowTiles = Math.ceil(M / tileM);
  const uniforms = new UniformWriter()
    .u32(M).u32(N).u32(K).u32(l.kChunk).u32(kind === 'wgrad' ? 1 : 0).u32(l.batches).u32(rowTiles)
    .u32(g.C).u32(g.H).u32(g.W).u32(g.OC).u32(g.OH).u32(g.OW).u32(g.KH).u32(g.KW)
    .u32(g.strideH).u32(g.strideW).u32(g.padH).u32(g.padW);
  const [y, z] = foldWorkgroups(rowTiles * l.batches, runtime().maxWorkgroupsPerDimension);
  launch(
    { name: op, key, wgsl },
    {
      bindings: [l.a.binding(op), l.b.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)],
      uniforms,
      workgroups: [Math.ceil(N / (TILE.wgX * 4)), y, z],
    },
  );
  return out;
}

/** Forward convolution by implicit GEMM; output [N·OC·OH·OW] flat. */
export function convForwardGemm(x: Tensor, w: Tensor, g: ConvGeometry, bias: Tensor | null, activation: Activation): Tensor {
  const K = g.C * g.KH * g.KW;
  return convGemm({ op: 'conv2d', kind: 'forward', a: w, b: x, g, M: g.OC, N: g.OH * g.OW, K, batches: g.N, kChunk: K, outSize: g.N * g.OC * g.OH * g.OW, bias, activation });
}

/** Input gradient (a transposed convolution of dy with the weights); output [N·C·H·W] flat. */
export function convInputGrad(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const K = g.OC * g.KH * g.KW;
  return convGemm({ op: 'conv2d (input grad)', kind: 'dgrad', a: w, b: dy, g, M: g.C, N: g.H * g.W, K, batches: g.N, kChunk: K, outSize: g.N * g.C * g.H * g.W });
}

/**
 * Weight gradient (a convolution over the batch); the reduction over N·OH·OW is split across
 * workgroups and the partial products summed. Returns partial sums [S, OC·C·KH·KW] and S.
 */
export function convWeightGradPartials(dy: Tensor, x: Tensor, g: ConvGeometry): { partials: Tensor; splits: number } {
  const M = g.OC;
  const N = g.C * g.KH * g.KW;
  const K = g.N * g.OH * g.OW;
  const tiles = Math.ceil(M / (TILE.wgY * TILE.rm)) * Math.ceil(N / (TILE.wgX * 4));
  const splits = Math.max(1, Math.min(Math.ceil(64 / tiles), Math.floor(K / 256)));
  const kChunk = Math.ceil(K / splits / TILE.tileK) * TILE.tileK;
  const used = Math.ceil(K / kChunk);
  const partials = convGemm({ op: 'conv2d (weight grad)', kind: 'wgrad', a: dy, b: x, g, M, N, K, batches: used, kChunk, outSize: used * M * N });
  return { partials, splits: used };
}

/** Direct convolution (one invocation per output) for tiny channel counts; output flat. */
export function convForwardDirect(x: Tensor, w: Tensor, g: ConvGeometry, bias: Tensor | null, activation: Activation): Tensor {
  const op = 'conv2d';
  const size = g.N * g.OC * g.OH * g.OW;
  const out = allocTensor([size], 'float32');
  if (size === 0) return out;
  const key = `conv|direct|${bias ? 'bias' : ''}|${activation}`;
  const wgsl = (): string =>
    WGSL_COMMON +
    fillTemplate(shaderBody(directSource), {
      BINDINGS: [
        ...(bias ? ['@group(0) @binding(2) var<storage, read> bias: array<f32>;'] : []),
        `@group(0) @binding(${bias ? 3 : 2}) var<storage, read_write> out: array<f32>;`,
        `@group(0) @binding(${bias ? 4 : 3}) var<uniform> p: Params;`,
      ].join('\n'),
      BIAS: bias ? 'acc += bias[oc];' : '',
      ACT: ACTIVATIONS[activation].expr,
    });
  const uniforms = new UniformWriter()
    .u32(g.N).u32(g.C).u32(g.H).u32(g.W).u32(g.OC).u32(g.OH).u32(g.OW).u32(g.KH).u32(g.KW)
    .u32(g.strideH).u32(g.strideW).u32(g.padH).u32(g.padW);
  launch({ name: op, key, wgsl }, { bindings: [x.binding(op), w.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)], uniforms, workgroups: Math.ceil(size / 64) });
  return out;
}

/** Channels per invocation of the lane-parallel kernels (shaders/conv2d_lanes.wgsl). */
const LANES_RB = 16;

function lanesUniforms(g: ConvGeometry, chunk: number): UniformWriter {
  return new UniformWriter()
    .u32(g.N).u32(g.C).u32(g.H).u32(g.W).u32(g.OC).u32(g.OH).u32(g.OW).u32(g.KH).u32(g.KW)
    .u32(g.strideH).u32(g.strideW).u32(g.padH).u32(g.padW).u32(chunk);
}

function lanesBindings(hasBias: boolean): string {
  return [
    '@group(0) @binding(0) var<storage, read> a: array<f32>;',
    '@group(0) @binding(1) var<storage, read> w: array<f32>;',
    ...(hasBias ? ['@group(0) @binding(2) var<storage, read> bias: array<f32>;'] : []),
    `@group(0) @binding(${hasBias ? 3 : 2}) var<storage, read_write> out: array<f32>;`,
    `@group(0) @binding(${hasBias ? 4 : 3}) var<uniform> p: Params;`,
  ].join('\n');
}

function lanesGrid(positions: number, channelBlocks: number): [number, number, number] {
  const [y, z] = foldWorkgroups(channelBlocks, runtime().maxWorkgroupsPerDimension);
  return [Math.ceil(positions / 64), y, z];
}

export function convForwardLanes(x: Tensor, w: Tensor, g: ConvGeometry, bias: Tensor | null, activation: Activation): Tensor {
  const op = 'conv2d';
  const size = g.N * g.OC * g.OH * g.OW;
  const out = allocTensor([size], 'float32');
  if (size === 0) return out;
  const value = `${bias ? '(acc[r] + bias[c])' : 'acc[r]'}`;
  const epilogue = `out[(n * p.OC + c) * P + pix] = ${ACTIVATIONS[activation].expr.replace(/\bv\b/g, value)};`;
  const key = `conv-lanes|forward|${bias ? 'bias' : ''}|${activation}|${LANES_RB}`;
  const wgsl = (): string =>
    WGSL_COMMON +
    fillTemplate(shaderSection(lanesSource, 'forward'), {
      BINDINGS: lanesBindings(!!bias),
      RB: LANES_RB,
      EPILOGUE: epilogue,
      ...unrolledAccumulators('wv', (j) => `w[min(oc0 + ${j}u, p.OC - 1u) * K + k]`, 'xv'),
    });
  launch(
    { name: op, key, wgsl },
    {
      bindings: [x.binding(op), w.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)],
      uniforms: lanesUniforms(g, 0),
      workgroups: lanesGrid(g.N * g.OH * g.OW, Math.ceil(g.OC / LANES_RB)),
    },
  );
  return out;
}

export function convInputGradLanes(dy: Tensor, w: Tensor, g: ConvGeometry): Tensor {
  const op = 'conv2d (input grad)';
  const size = g.N * g.C * g.H * g.W;
  const out = allocTensor([size], 'float32');
  if (size === 0) return out;
  const key = `conv-lanes|dgrad|${LANES_RB}`;
  const wgsl = (): string => WGSL_COMMON + fillTemplate(shaderSection(lanesSource, 'dgrad'), { BINDINGS: lanesBindings(false), RB: LANES_RB });
  launch(
    { name: op, key, wgsl },
    { bindings: [dy.binding(op), w.binding(op), out.binding(op)], uniforms: lanesUniforms(g, 0), workgroups: lanesGrid(g.N * g.H * g.W, Math.ceil(g.C / LANES_RB)) },
  );
  return out;
}

/** Partial weight gradients [chunks, OC, C·KH·KW]: the (n, pixel) sum is split into chunks for parallelism. */
export function convWeightGradLanes(dy: Tensor, x: Tensor, g: ConvGeometry): { partials: Tensor; splits: number } {
  const op = 'conv2d (weight grad)';
  const K = g.C * g.KH * g.KW;
  const Q = g.N * g.OH * g.OW;
  const blocks = Math.ceil(K / 64) * Math.ceil(g.OC / LANES_RB);
  const chunks = Math.max(1, Math.min(Math.ceil(32 / blocks), Math.ceil(Q / 256)));
  const chunk = Math.ceil(Q / chunks);
  const used = Math.ceil(Q / chunk);
  const out = allocTensor([used * g.OC * K], 'float32');
  const key = `conv-lanes|wgrad|${LANES_RB}`;
  const wgsl = (): string => WGSL_COMMON + fillTemplate(shaderSection(lanesSource, 'wgrad'), { BINDINGS: lanesBindings(false), RB: LANES_RB });
  launch(
    { name: op, key, wgsl },
    { bindings: [x.binding(op), dy.binding(op), out.binding(op)], uniforms: lanesUniforms(g, chunk), workgroups: [Math.ceil(K / 64), Math.ceil(g.OC / LANES_RB), used] },
  );
  return { partials: out, splits: used };
}

/**
 * The RB accumulators as RB/4 vec4 registers with the channel loop unrolled (a loop over a
 * function-scope array may stay in memory): ACC_DECL declares them, ACC_FMA_FORWARD adds
 * weight(j)·x for the RB channels, ACC_SPILL copies them into `acc` for the epilogue.
 */
function unrolledAccumulators(_prefix: string, weight: (j: number) => string, x: string): Record<string, string> {
  const vecs = LANES_RB / 4;
  const decl = Array.from({ length: vecs }, (_, v) => `var acc${v} = vec4<f32>(0.0);`).join('\n  ');
  const fma = Array.from({ length: vecs }, (_, v) => {
    const ws = [0, 1, 2, 3].map((c) => weight(4 * v + c)).join(', ');
    return `acc${v} = fma(vec4<f32>(${ws}), vec4<f32>(${x}), acc${v});`;
  }).join('\n        ');
  const spill = [`var acc: array<f32, ${LANES_RB}>;`, ...Array.from({ length: LANES_RB }, (_, j) => `acc[${j}] = acc${Math.floor(j / 4)}[${j % 4}];`)].join('\n  ');
  return { ACC_DECL: decl, ACC_FMA_FORWARD: fma, ACC_SPILL: spill };
}

// ---------------------------------------------------------------------------------------------
// Choosing a kernel per adapter and shape
// ---------------------------------------------------------------------------------------------

/**
 * The kernel families: `tiled` (implicit GEMM with workgroup-memory tiles, shaders/conv2d.wgsl),
 * `subgroup` / `register` (row-segment kernels, shaders/conv2d_rows.wgsl, with / without the
 * subgroup-shared operand), `direct` (one invocation per output, forward only), `lanes` (the
 * earlier lane-parallel kernels, shaders/conv2d_lanes.wgsl).
 */
export type ConvVariant = 'tiled' | 'subgroup' | 'register' | 'direct' | 'lanes';
export type ConvPass = 'forward' | 'dgrad' | 'wgrad';

export interface ConvConfig {
  variant: ConvVariant;
  /** Row-segment tile (subgroup / register). */
  tile?: RowsTile;
  /** Weight gradient of the row-segment family: one lane per input channel or per output channels. */
  wgradKind?: 'wgrad_ic' | 'wgrad_oc';
}

/** Forces a kernel (tests, benchmarks): a variant, and optionally its tile. */
export interface ConvForce {
  variant?: ConvVariant;
  tile?: RowsTile;
  wgradKind?: 'wgrad_ic' | 'wgrad_oc';
}

/** Pixels per lane: the candidate that wastes the fewest computed pixels per row (ties: the larger). */
export function pickSegment(OW: number): number {
  let best = 8;
  let waste = Infinity;
  for (const tw of [8, 7, 6, 5, 4]) {
    const w = Math.ceil(OW / tw) * tw - OW;
    if (w < waste) {
      best = tw;
      waste = w;
    }
  }
  return best;
}

/** Output channels per workgroup of the forward row kernel: 16, or all of them rounded up to 4. */
function pickBlock(channels: number): number {
  return Math.min(16, Math.ceil(channels / 4) * 4);
}

/** The geometry of the input gradient of a stride-1 convolution as a forward convolution of dY. */
export function transposedGeometry(g: ConvGeometry): ConvGeometry {
  return {
    N: g.N, C: g.OC, H: g.OH, W: g.OW, OC: g.C, OH: g.H, OW: g.W, KH: g.KH, KW: g.KW,
    strideH: 1, strideW: 1, padH: g.KH - 1 - g.padH, padW: g.KW - 1 - g.padW,
  };
}

/** Whether the input gradient can run as a forward row kernel (stride 1, padding < kernel size). */
function dgradAsForward(g: ConvGeometry): boolean {
  return g.strideH === 1 && g.strideW === 1 && g.padH <= g.KH - 1 && g.padW <= g.KW - 1;
}

/**
 * The kernel for one pass of a convolution on this adapter. Measured with `npm run bench -- --only
 * conv --full` (the MNIST CVAE layers at batch 64, each pass alone, GFLOP/s) and scratch sweeps on
 * the 2-core CI machine (best of 5; the machine is shared, expect ±20 %):
 *
 * - lavapipe (llvmpipe 25.0, 8 SIMD lanes). Mesa 25.0 turns every storage load into a loop over
 *   the lanes (exec-mask test, bounds check, scalar load, insert: ~15 instructions per lane and
 *   component, uniform addresses included; vec4 loads amortise the per-lane part), lowers fma to
 *   mul + add, and scalarises integer division. So a kernel's speed is set by how many values each
 *   lane loads per FMA. The row-segment kernels (`subgroup`, conv-rows.ts):
 *                          subgroup  register  lanes  tiled
 *     32→64 @14  forward     27.7       5.9     2.5    2.2
 *                dgrad       31.4       6.6     1.9    1.9
 *                wgrad       35.8       7.4     2.3    2.5
 *     64→128 @7  forward     29.0       6.0     2.3    2.1
 *                dgrad       30.3       6.9     2.0    1.7
 *                wgrad       35.3       7.3     2.5    2.4
 *     1→32 @28   forward      5.3       3.0     1.7    1.0   (direct: 0.5; one input channel:
 *                wgrad       14.1       6.0     0.3    0.6    the per-lane stores dominate)
 *   Forward tile: 7 pixels × 16 channels per lane (RO 8: −25-40 %, 12: −15 %, 20: −8 %, 24-32:
 *   −35 %, the accumulators spill; 14 × 8: −60 %); neighbouring lanes hold neighbouring output rows
 *   and pass input rows with subgroupShuffle (−25-30 % CPU time); an NHWC4 pre-packed input (vec4
 *   loads, no bounds checks) was 2× slower (register pressure). Input gradient of stride-1
 *   convolutions: the forward kernel on dY with transposed, flipped weights. Weight gradient:
 *   one lane per input channel × 16 output channels × the taps (RO 8: −30 %, 24-32: −10-20 %),
 *   keeping the KH − 1 input rows the next output row shares (CPU time 45 → 22 ms on 64→128);
 *   for C < 8 one lane per 2 output channels with the input rows broadcast (`wgrad_oc`: 1→32
 *   14 GFLOP/s against 3 with 7 of 8 lanes idle). Strided input gradients (not in the CVAE) and
 *   kernels over 7×7 use `lanes`.
 * - SwiftShader (Chromium, 4 lanes): the same forward kernels with sg = 4 (6.5 GFLOP/s forward,
 *   6.7 dgrad); weight gradient: wgrad_ic with 4 pixels × 8 channels (8 GFLOP/s; lanes 0.5).
 *   SwiftShader's compiler takes minutes on larger weight-gradient tiles (7 × 16, wgrad_oc at any
 *   size), until Chromium's GPU watchdog loses the device.
 * - No subgroups (Deno's wgpu on lavapipe): `register`, the row kernels with every invocation
 *   loading the weights (forward) or dY / the input rows (wgrad) itself: 11-12.5 GFLOP/s in Deno.
 * - Real GPUs: `tiled` (the layout GPUs are built for; not measurable on this machine), `direct`
 *   for at most 4 output channels.
 */
export function convConfig(rt: Runtime, pass: ConvPass, g: ConvGeometry): ConvConfig {
  const kind = adapterKind(rt.adapterInfo);
  if (kind === 'gpu') return { variant: pass === 'forward' && g.OC <= DIRECT_MAX_OUT_CHANNELS ? 'direct' : 'tiled' };
  const sg = fixedSubgroupSize(rt);
  const variant: ConvVariant = sg > 1 ? 'subgroup' : 'register';
  const rowsOk = g.KH * g.KW <= 49;
  if (pass === 'forward') {
    if (!rowsOk) return { variant: 'lanes' };
    return { variant, tile: { sg: sg > 1 ? sg : 1, tw: pickSegment(g.OW), ro: pickBlock(g.OC) } };
  }
  if (pass === 'dgrad') {
    if (!rowsOk || !dgradAsForward(g)) return { variant: 'lanes' };
    return { variant, tile: { sg: sg > 1 ? sg : 1, tw: pickSegment(g.W), ro: pickBlock(g.C) } };
  }
  if (!rowsOk) return { variant: 'lanes' };
  if (kind === 'swiftshader') {
    // SwiftShader's shader compiler scales very badly with the weight-gradient kernels (minutes,
    // until Chromium's GPU watchdog loses the device): wgrad_oc even at 4 pixels × 2 channels,
    // wgrad_ic beyond 4 × 8 or without the row reuse of stride 1. 4 × 8 compiles in 0.25 s and
    // runs 32→64 at 6 GFLOP/s (lanes: 0.5).
    if (sg > 1 && g.strideH === 1) return { variant, wgradKind: 'wgrad_ic', tile: { sg, tw: 4, ro: 8 } };
    return { variant: 'lanes' };
  }
  // Fewer input channels than lanes (the first layer: C = 1 or 2): one lane per output channels.
  if (g.C < 8) return { variant, wgradKind: 'wgrad_oc', tile: { sg: sg > 1 ? sg : 1, tw: pickSegment(g.OW), ro: 1, rl: 2, cb: Math.min(g.C, 4) } };
  return { variant, wgradKind: 'wgrad_ic', tile: { sg: sg > 1 ? sg : 1, tw: pickSegment(g.OW), ro: Math.min(16, g.OC) } };
}

/** Output channels at or below which the direct kernel serves the forward pass on GPUs. */
export const DIRECT_MAX_OUT_CHANNELS = 4;

function resolve(pass: ConvPass, g: ConvGeometry, force: ConvForce | undefined): ConvConfig {
  const rt = runtime();
  if (!force?.variant) {
    const chosen = convConfig(rt, pass, g);
    return force?.tile ? { ...chosen, tile: force.tile } : chosen;
  }
  const v = force.variant;
  if (v !== 'subgroup' && v !== 'register') return { variant: v };
  // A forced row variant: the chosen tile with the variant's lane sharing.
  const sg = v === 'subgroup' ? fixedSubgroupSize(rt) : 1;
  if (v === 'subgroup' && sg <= 1) throw new Error("conv2d: the 'subgroup' kernels need a device with fixed-size subgroups");
  const W = pass === 'dgrad' ? g.W : g.OW;
  const wgradKind = force.wgradKind ?? (pass === 'wgrad' ? (g.C < 8 ? 'wgrad_oc' : 'wgrad_ic') : undefined);
  const ro = pass === 'wgrad' ? Math.min(16, g.OC) : pickBlock(pass === 'dgrad' ? g.C : g.OC);
  const tile: RowsTile = force.tile ?? (wgradKind === 'wgrad_oc' ? { sg, tw: pickSegment(W), ro: 1, rl: 2, cb: Math.min(g.C, 4) } : { sg, tw: pickSegment(W), ro });
  return { variant: v, tile, wgradKind };
}

/**
 * The forward row kernel over the output channels of `gk` (the kernel's geometry: `g` itself, or
 * the transposed geometry of an input gradient), in blocks of `tile.ro`; when the last block would
 * be mostly padding (at most 8 of 16 channels used: 65 → 80, 33 → 48, 1 → 16) the trailing
 * channels run as a second dispatch with a block of 4 or 8.
 */
function rowsForwardBlocks(op: string, x: Tensor, w: Tensor, g: ConvGeometry, gk: ConvGeometry, tile: RowsTile, flip: boolean, bias: Tensor | null, act: Activation): Tensor {
  const channels = gk.OC;
  const main = tile.ro === 16 && channels % 16 !== 0 && channels % 16 <= 8 ? Math.floor(channels / 16) * 16 : channels;
  const parts: { first: number; count: number; tile: RowsTile }[] = [];
  if (main > 0) parts.push({ first: 0, count: main, tile });
  if (main < channels) parts.push({ first: main, count: channels - main, tile: { ...tile, ro: Math.ceil((channels - main) / 4) * 4 } });
  let out: Tensor | null = null;
  for (const part of parts) {
    const packed = packWeights(w, g, part.tile.ro, flip, part.first, part.count);
    const into = out ? { out, first: part.first, count: part.count } : { out: allocTensor([gk.N * channels * gk.OH * gk.OW], 'float32'), first: part.first, count: part.count };
    out = rowsForward(op, x, packed, gk, part.tile, bias, act, into);
    packed.dispose();
  }
  return out!;
}

/** Forward convolution with the kernel chosen for this adapter (or forced); output [N·OC·OH·OW] flat. */
export function convForward(x: Tensor, w: Tensor, g: ConvGeometry, bias: Tensor | null, activation: Activation, force?: ConvForce): Tensor {
  const c = resolve('forward', g, force);
  switch (c.variant) {
    case 'tiled':
      return convForwardGemm(x, w, g, bias, activation);
    case 'direct':
      return convForwardDirect(x, w, g, bias, activation);
    case 'lanes':
      return convForwardLanes(x, w, g, bias, activation);
    default:
      validateRowsTile('forward', c.tile!, g);
      return rowsForwardBlocks('conv2d', x, w, g, g, c.tile!, false, bias, activation);
  }
}

/** Input gradient (a transposed convolution of dy with the weights); output [N·C·H·W] flat. */
export function convInputGradient(dy: Tensor, w: Tensor, g: ConvGeometry, force?: ConvForce): Tensor {
  const c = resolve('dgrad', g, force);
  switch (c.variant) {
    case 'tiled':
      return convInputGrad(dy, w, g);
    case 'lanes':
      return convInputGradLanes(dy, w, g);
    case 'direct':
      throw new Error('conv2d: the direct kernel has no input gradient');
    default: {
      if (!dgradAsForward(g)) throw new Error(`conv2d: the ${c.variant} input gradient needs stride 1 and padding < kernel size (got stride ${g.strideH},${g.strideW}, padding ${g.padH},${g.padW})`);
      const gt = transposedGeometry(g);
      validateRowsTile('forward', c.tile!, gt);
      return rowsForwardBlocks('conv2d (input grad)', dy, w, g, gt, c.tile!, true, null, 'none');
    }
  }
}

/** Weight gradient as partial sums [splits, OC·C·KH·KW] (summed by the caller). */
export function convWeightGradient(dy: Tensor, x: Tensor, g: ConvGeometry, force?: ConvForce): { partials: Tensor; splits: number } {
  const c = resolve('wgrad', g, force);
  switch (c.variant) {
    case 'tiled':
      return convWeightGradPartials(dy, x, g);
    case 'lanes':
      return convWeightGradLanes(dy, x, g);
    case 'direct':
      throw new Error('conv2d: the direct kernel has no weight gradient');
    default: {
      const kind = c.wgradKind ?? 'wgrad_ic';
      validateRowsTile(kind, c.tile!, g);
      return rowsWgrad('conv2d (weight grad)', dy, x, g, kind, c.tile!);
    }
  }
}
