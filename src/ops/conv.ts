import { record } from '../autograd/tape.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { ACTIVATIONS, assertActivation, type Activation } from './activations.js';
import { convForward, convInputGradient, convWeightGradient, type ConvGeometry } from './conv-kernel.js';
import { runMap } from './map.js';
import { matmulKernel } from './matmul-kernel.js';
import { sum } from './reduce.js';

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: number | readonly [number, number];
  /** Fused into the kernel's epilogue. */
  activation?: Activation;
}

function pair(op: string, name: string, v: number | readonly [number, number] | undefined, dflt: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((e) => Number.isInteger(e) && e >= min)) throw new RangeError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

/** Geometry of conv2d(x, w) with PyTorch semantics; throws naming the shapes at fault. */
export function convGeometry(op: string, x: Tensor, w: Tensor, opts: Conv2dOptions): ConvGeometry {
  if (x.rank !== 4) throw new Error(`${op}: input must be [N, C, H, W], got ${fmtShape(x.shape)}`);
  if (w.rank !== 4) throw new Error(`${op}: weight must be [out, in, kh, kw], got ${fmtShape(w.shape)}`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [OC, WC, KH, KW] = w.shape as [number, number, number, number];
  if (C !== WC) throw new Error(`${op}: input has ${C} channels but weight expects ${WC} (input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)})`);
  const [strideH, strideW] = pair(op, 'stride', opts.stride, 1, 1);
  const [padH, padW] = pair(op, 'padding', opts.padding, 0, 0);
  const OH = Math.floor((H + 2 * padH - KH) / strideH) + 1;
  const OW = Math.floor((W + 2 * padW - KW) / strideW) + 1;
  if (OH < 1 || OW < 1) {
    throw new Error(`${op}: kernel ${KH}x${KW} is larger than the padded input ${H + 2 * padH}x${W + 2 * padW} (input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)}, padding ${padH},${padW})`);
  }
  return { N, C, H, W, OC, OH, OW, KH, KW, strideH, strideW, padH, padW };
}

/**
 * 2-D convolution (cross-correlation) with PyTorch semantics: x [N, C, H, W], w [OC, C, KH, KW],
 * optional bias [OC]; stride and zero padding per axis. A plain matmul for 1×1 stride-1 kernels
 * with more than 4 output channels; otherwise the kernel `convConfig` (conv-kernel.ts) picks per
 * adapter: the workgroup-tiled implicit GEMM (or the direct kernel for ≤ 4 output channels) on
 * GPUs, the row-segment kernels (conv-rows.ts) on CPU adapters. The backward pass uses the same
 * family: the input gradient as a transposed convolution (on CPU adapters, stride 1: the forward
 * kernel with transposed, flipped weights), the weight gradient as a convolution over the batch
 * with a split reduction whose partial sums are added here.
 */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  assertTensor(op, x, 'input');
  assertTensor(op, w, 'weight');
  if (x.dtype !== 'float32' || w.dtype !== 'float32') throw new TypeError(`conv2d: needs float32 tensors, got input ${x.dtype} and weight ${w.dtype}`);
  const g = convGeometry(op, x, w, opts);
  const bias = b ?? null;
  if (bias) {
    assertTensor(op, bias, 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== g.OC) throw new Error(`conv2d: bias must be [${g.OC}], got ${fmtShape(bias.shape)} (weight ${fmtShape(w.shape)})`);
  }
  const activation = opts.activation ?? 'none';
  assertActivation(op, activation);
  const outShape = [g.N, g.OC, g.OH, g.OW];
  let flat: Tensor;
  const pointwise = g.KH === 1 && g.KW === 1 && g.strideH === 1 && g.strideW === 1 && g.padH === 0 && g.padW === 0;
  if (pointwise && g.OC > 4) {
    // out_n[oc, pixel] = W[oc, ic] · x_n[ic, pixel]: one matmul batched over images, W shared.
    const P = g.H * g.W;
    const product = matmulKernel({ op, a: w, b: x, transA: false, transB: false, M: g.OC, N: P, K: g.C, batch: g.N, batchStrideA: 0, batchStrideB: g.C * P });
    flat = bias || activation !== 'none' ? channelEpilogue(product, bias, activation, g.OC, P) : product;
    if (flat !== product) product.dispose();
  } else {
    flat = convForward(x, w, g, bias, activation);
  }
  const y = flat.view(outShape, op);
  flat.dispose();

  record(op, [x, w, bias], y, activation === 'none' ? [x, w] : [x, w, y], (dy, saved, needed) => {
    const [xs, ws, ys] = saved as [Tensor, Tensor, Tensor?];
    const dz = activation === 'none' ? dy : runMap({ op: 'conv2d (activation grad)', expr: ACTIVATIONS[activation].grad, inputs: [{ tensor: dy, name: 'dy' }, { tensor: ys!, name: 'y' }], shape: dy.shape, dtype: 'float32' });
    let dx: Tensor | null = null;
    if (needed[0]) {
      const flatDx = convInputGradient(dz, ws, g);
      dx = flatDx.view(x.shape, 'conv2d (grad)');
      flatDx.dispose();
    }
    let dw: Tensor | null = null;
    if (needed[1]) {
      const { partials, splits } = convWeightGradient(dz, xs, g);
      const summed = splits === 1 ? partials : sum(partials.view([splits, w.size], 'conv2d (grad)'), 0);
      dw = summed.view(w.shape, 'conv2d (grad)');
      summed.dispose();
      if (summed !== partials) partials.dispose();
    }
    const db = needed[2] ? sum(dz, [0, 2, 3]) : null;
    if (dz !== dy) dz.dispose();
    return [dx, dw, db];
  });
  return y;
}

/** Adds a per-channel bias and applies an activation to a flat [N, OC, P] tensor. */
function channelEpilogue(t: Tensor, bias: Tensor | null, activation: Activation, channels: number, pixels: number): Tensor {
  const expr = ACTIVATIONS[activation].expr.replace(/\bv\b/g, bias ? '(v + b)' : 'v');
  const inputs = [{ tensor: t.view([t.size / (channels * pixels), channels, pixels], 'conv2d'), name: 'v' }];
  if (bias) inputs.push({ tensor: bias.view([channels, 1], 'conv2d'), name: 'b' });
  const out = runMap({ op: 'conv2d (epilogue)', expr, inputs, shape: inputs[0]!.tensor.shape, dtype: 'float32' });
  for (const i of inputs) i.tensor.dispose();
  return out;
}
