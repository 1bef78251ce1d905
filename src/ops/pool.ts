import poolSource from '../../shaders/pool.wgsl';
import upsampleSource from '../../shaders/upsample.wgsl';
import { record } from '../autograd/tape.js';
import { isCpuAdapter } from '../gpu/adapter-kind.js';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderSection } from '../gpu/wgsl.js';
import { fmtShape } from '../tensor/shape.js';
import { allocTensor, assertTensor, type Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';

/**
 * Row kernels (one invocation per row) on CPU adapters, element kernels elsewhere. CPU adapters pay
 * per invocation and per integer division (one lane at a time); measured on lavapipe, 2 cores:
 * maxPool2d(2) forward + backward of [64, 32, 28, 28] 49 → 12 ms, upsampleNearest(2) forward +
 * backward of [64, 32, 14, 14] 44 → 15 ms. `null`: by adapter; tests force either.
 */
let rowKernels: boolean | null = null;
export function forcePoolRowKernels(v: boolean | null): void {
  rowKernels = v;
}
const useRows = (): boolean => rowKernels ?? isCpuAdapter();

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
    const rows = useRows();
    const kernel = rows ? 'forward_rows' : 'forward';
    launch(
      { name: op, key: `maxpool|${kernel}`, wgsl: () => WGSL_COMMON + shaderSection(poolSource, kernel) },
      { bindings: [x.binding(op), y.binding(op), argmax.binding(op)], uniforms: uniforms(), workgroups: Math.ceil((rows ? planes * OH : y.size) / 64) },
    );
  }
  record(op, [x], y, [argmax], (dy, [am]) => {
    // Scatter per output row when windows do not overlap; zero-fill first unless they cover x.
    const rows = useRows() && KH <= SH && KW <= SW;
    const covered = KH === SH && KW === SW && OH * SH === H && OW * SW === W;
    const dx = rows && !covered ? zeros(x.shape) : allocTensor(x.shape, 'float32');
    if (dx.size > 0 && y.size > 0) {
      const kernel = rows ? 'backward_rows' : 'backward';
      launch(
        { name: `${op} (grad)`, key: `maxpool|${kernel}`, wgsl: () => WGSL_COMMON + shaderSection(poolSource, kernel) },
        { bindings: [dy.binding(op), am!.binding(op), dx.binding(op)], uniforms: uniforms(), workgroups: Math.ceil((rows ? planes * OH : dx.size) / 64) },
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
    const rows = useRows();
    const kernel = rows ? 'forward_rows' : 'forward';
    launch(
      { name: op, key: `upsample|${kernel}`, wgsl: () => WGSL_COMMON + shaderSection(upsampleSource, kernel) },
      { bindings: [x.binding(op), y.binding(op)], uniforms: uniforms(), workgroups: Math.ceil((rows ? planes * H : y.size) / 64) },
    );
  }
  record(op, [x], y, [], (dy) => {
    const dx = allocTensor(x.shape, 'float32');
    if (dx.size > 0) {
      const rows = useRows();
      const kernel = rows ? 'backward_rows' : 'backward';
      launch(
        { name: `${op} (grad)`, key: `upsample|${kernel}`, wgsl: () => WGSL_COMMON + shaderSection(upsampleSource, kernel) },
        { bindings: [dy.binding(op), dx.binding(op)], uniforms: uniforms(), workgroups: Math.ceil((rows ? planes * H : dx.size) / 64) },
      );
    }
    return [dx];
  });
  return y;
}
