import convSource from '../../shaders/conv2d.wgsl';
import directSource from '../../shaders/conv2d_direct.wgsl';
import lanesSource from '../../shaders/conv2d_lanes.wgsl';
import { isCpuAdapter } from '../gpu/adapter-kind.js';
import { foldWorkgroups, launch } from '../gpu/kernel.js';
import { runtime } from '../gpu/runtime.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody, shaderSection } from '../gpu/wgsl.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';
import { ACTIVATIONS, type Activation } from './activations.js';

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

/** Whether the lane-parallel kernels are used (CPU adapters) instead of the workgroup-tiled GEMM. */
export function useLaneKernels(): boolean {
  return isCpuAdapter();
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
