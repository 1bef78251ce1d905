import poolSource from '../../shaders/pool.wgsl';
import upsampleSource from '../../shaders/upsample.wgsl';
import { record } from '../autograd/tape.js';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderSection } from '../gpu/wgsl.js';
import { fmtShape } from '../tensor/shape.js';
import { allocTensor, assertTensor, type Tensor } from '../tensor/tensor.js';

function pair(op: string, name: string, v: number | readonly [number, number], min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((e) => Number.isInteger(e) && e >= min)) throw new RangeError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

function assertNCHW(op: string, x: Tensor): [number, number, number, number] {
  assertTensor(op, x, 'input');
  if (x.rank !== 4 || x.dtype !== 'float32') throw new Error(`${op}: input must be a float32 [N, C, H, W] tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/**
 * Max pooling with PyTorch's defaults (stride = kernel size, no padding, floor on odd sizes).
 * The gradient goes to the first maximum of each window in row-major order.
 */
export function maxPool2d(x: Tensor, kernelSize: number | readonly [number, number], stride?: number | readonly [number, number]): Tensor {
  const op = 'maxPool2d';
  const [N, C, H, W] = assertNCHW(op, x);
  const [KH, KW] = pair(op, 'kernelSize', kernelSize, 1);
  const [SH, SW] = pair(op, 'stride', stride ?? [KH, KW], 1);
  if (KH > H || KW > W) throw new Error(`${op}: kernel ${KH}x${KW} is larger than the input ${H}x${W} (${fmtShape(x.shape)})`);
  const OH = Math.floor((H - KH) / SH) + 1;
  const OW = Math.floor((W - KW) / SW) + 1;
  const planes = N * C;
  const y = allocTensor([N, C, OH, OW], 'float32');
  const argmax = allocTensor([N, C, OH, OW], 'int32');
  const uniforms = () => new UniformWriter().u32(planes).u32(H).u32(W).u32(OH).u32(OW).u32(KH).u32(KW).u32(SH).u32(SW);
  if (y.size > 0) {
    launch(
      { name: op, key: 'maxpool|forward', wgsl: () => WGSL_COMMON + shaderSection(poolSource, 'forward') },
      { bindings: [x.binding(op), y.binding(op), argmax.binding(op)], uniforms: uniforms(), workgroups: Math.ceil(y.size / 64) },
    );
  }
  record(op, [x], y, [argmax], (dy, [am]) => {
    const dx = allocTensor(x.shape, 'float32');
    if (dx.size > 0) {
      launch(
        { name: `${op} (grad)`, key: 'maxpool|backward', wgsl: () => WGSL_COMMON + shaderSection(poolSource, 'backward') },
        { bindings: [dy.binding(op), am!.binding(op), dx.binding(op)], uniforms: uniforms(), workgroups: Math.ceil(dx.size / 64) },
      );
    }
    return [dx];
  });
  argmax.dispose();
  return y;
}

/** Nearest-neighbour upsampling by an integer factor per axis (nn.UpsamplingNearest2d(scale_factor=k)). */
export function upsampleNearest(x: Tensor, scale: number | readonly [number, number]): Tensor {
  const op = 'upsampleNearest';
  const [N, C, H, W] = assertNCHW(op, x);
  const [SH, SW] = pair(op, 'scale', scale, 1);
  const planes = N * C;
  const y = allocTensor([N, C, H * SH, W * SW], 'float32');
  const uniforms = () => new UniformWriter().u32(planes).u32(H).u32(W).u32(SH).u32(SW);
  if (y.size > 0) {
    launch(
      { name: op, key: 'upsample|forward', wgsl: () => WGSL_COMMON + shaderSection(upsampleSource, 'forward') },
      { bindings: [x.binding(op), y.binding(op)], uniforms: uniforms(), workgroups: Math.ceil(y.size / 64) },
    );
  }
  record(op, [x], y, [], (dy) => {
    const dx = allocTensor(x.shape, 'float32');
    if (dx.size > 0) {
      launch(
        { name: `${op} (grad)`, key: 'upsample|backward', wgsl: () => WGSL_COMMON + shaderSection(upsampleSource, 'backward') },
        { bindings: [dy.binding(op), dx.binding(op)], uniforms: uniforms(), workgroups: Math.ceil(dx.size / 64) },
      );
    }
    return [dx];
  });
  return y;
}
