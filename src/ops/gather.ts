import gatherSource from '../../shaders/gather.wgsl';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody } from '../gpu/wgsl.js';
import { wgslType } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { allocTensor, assertTensor, isTensor, uploadTensor, type Tensor } from '../tensor/tensor.js';

/**
 * Rows of x selected by `indices` (torch.index_select(x, 0, indices)): [N, ...] → [B, ...].
 * Not differentiable (used for data batches and repeats). An index outside [0, N) yields a NaN
 * row (float32) or −1 values (int32) instead of reading out of bounds.
 */
export function gatherRows(x: Tensor, indices: Tensor | ArrayLike<number>): Tensor {
  const op = 'gatherRows';
  assertTensor(op, x, 'x');
  if (x.rank < 1) throw new Error(`${op}: x must have rank ≥ 1, got ${fmtShape(x.shape)}`);
  const ownIndex = !isTensor(indices);
  const index = ownIndex ? uploadTensor(Int32Array.from(indices as ArrayLike<number>), [(indices as ArrayLike<number>).length], 'int32') : (indices as Tensor);
  assertTensor(op, index, 'indices');
  if (index.dtype !== 'int32' || index.rank !== 1) throw new Error(`${op}: indices must be an int32 vector, got ${index.dtype} ${fmtShape(index.shape)}`);
  const rows = x.shape[0]!;
  const inner = x.size / Math.max(rows, 1);
  const batch = index.shape[0]!;
  const out = allocTensor([batch, ...x.shape.slice(1)], x.dtype);
  if (out.size > 0) {
    const t = wgslType(x.dtype);
    launch(
      { name: op, key: `gather|${t}`, wgsl: () => WGSL_COMMON + fillTemplate(shaderBody(gatherSource), { T: t, INVALID: t === 'f32' ? 'nan_f32()' : '-1i' }) },
      { bindings: [x.binding(op), index.binding(op), out.binding(op)], uniforms: new UniformWriter().u32(batch).u32(inner).u32(rows), workgroups: Math.ceil(out.size / 256) },
    );
  }
  if (ownIndex) index.dispose();
  return out;
}
