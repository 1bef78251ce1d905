/**
 * `ps.data.corrupt(key, x, name, severity, {backend})`: CIFAR-10-C corruptions of a batch of
 * images x [B, 3, H, W] in [0, 1] (specs/corruptions.md, docs/corruptions.md).
 *
 * backend 'auto' (default) runs the GPU port when the corruption has one (15 of 19; see
 * corruptions/gpu/registry.ts) and the CPU reference otherwise (reading x back, running
 * `corruptCPU`, uploading the result); 'gpu' insists on the GPU port; 'cpu' always uses the
 * reference. Both give the reference's stored bytes as k/255: the GPU path equals the CPU path
 * exactly for the elementwise corruptions and the filters (software float64 where f32 cannot
 * decide), and within spec §7.2's tolerance (≥ 99 % identical, ±1 level) for motion blur, zoom blur
 * and elastic_transform, which in practice differ on about one value in 10^5–10^6.
 * Image b uses the key foldIn(key, b).
 *
 * Checks: the corruption name, the severity (integer 1..5), the shape, and that every value is
 * in [0, 1] (on the GPU path by the quantisation kernel, which records the first bad index; one
 * 8-byte readback per call, which also reports the values to resolve on the CPU).
 */
import { foldIn, assertKey, type Key } from '../random/key.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, uploadTensor, type Tensor } from '../tensor/tensor.js';
import { corruptCPU } from './corruptions/cpu.js';
import { GPU_REGISTRY } from './corruptions/gpu/registry.js';
import { enqueueCorruption, finishCorruption } from './corruptions/gpu/run.js';
import type { CorruptionName, Severity } from './corruptions/types.js';
import { checkName, checkSeverity, checkSize } from './corruptions/validate.js';

export type CorruptBackend = 'auto' | 'gpu' | 'cpu';

export interface CorruptOptions {
  /** Where to run: 'auto' (GPU when ported, default), 'gpu' (error when not ported) or 'cpu'. */
  backend?: CorruptBackend;
}

const BACKENDS: readonly CorruptBackend[] = ['auto', 'gpu', 'cpu'];

/** Checks x is float32 [B, 3, H, W] with H, W ≥ 1; returns [B, H, W]. */
export function checkImages(op: string, x: unknown): [number, number, number] {
  assertTensor(op, x, 'x');
  if (x.dtype !== 'float32') throw new TypeError(`${op}: x must be float32 images, got ${x.dtype} ${fmtShape(x.shape)}`);
  const s = x.shape;
  if (s.length !== 4 || s[1] !== 3 || s[2]! < 1 || s[3]! < 1) throw new RangeError(`${op}: expected images [B, 3, H, W], got ${fmtShape(s)}`);
  return [s[0]!, s[2]!, s[3]!];
}

/** Why `name` cannot run on the GPU for H×W images, or null when it can. */
export function gpuUnavailable(name: CorruptionName, height: number, width: number): string | null {
  const impl = GPU_REGISTRY[name];
  if (!impl) return `'${name}' has no GPU implementation (it runs on the CPU)`;
  return impl.unsupported?.(height, width) ?? null;
}

export async function corrupt(key: Key, x: Tensor, name: CorruptionName, severity: Severity, options: CorruptOptions = {}): Promise<Tensor> {
  const op = 'corrupt';
  assertKey(op, key);
  checkName(name);
  checkSeverity(severity);
  const [batch, height, width] = checkImages(op, x);
  checkSize(name, height, width);
  const backend = options.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) throw new RangeError(`${op}: backend must be 'auto', 'gpu' or 'cpu', got ${String(backend)}`);
  const why = gpuUnavailable(name, height, width);
  if (backend === 'gpu' && why !== null) throw new Error(`${op}: backend 'gpu': ${why}; use backend 'cpu' or 'auto'`);
  const onCPU = async (): Promise<Tensor> => {
    const values = await x.data();
    return uploadTensor(corruptCPU(key, values, [batch, 3, height, width], name, severity), x.shape, 'float32');
  };
  if (backend === 'cpu' || why !== null) return onCPU();
  const keys = Array.from({ length: batch }, (_, b) => foldIn(key, b));
  return finishCorruption(op, enqueueCorruption(op, GPU_REGISTRY[name]!, x, keys, name, severity), x, onCPU);
}
