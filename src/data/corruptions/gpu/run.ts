/**
 * Runs a GPU corruption (spec §7.2): quantise x to bytes and check its range in one pass, run the
 * corruption's kernels, turn the stored bytes into k/255 floats; then (async) read back a 2-word
 * status: the first value outside [0, 1], and how many values the kernels flagged as undecidable
 * in f32. Flagged values (rare: see each kernel) are recomputed on the CPU from the kernel's
 * payload and patched in, so that elementwise corruptions match the float64 reference exactly.
 */
import { launch } from '../../../gpu/kernel.js';
import { runtime } from '../../../gpu/runtime.js';
import { UniformWriter } from '../../../gpu/uniforms.js';
import type { Key } from '../../../random/key.js';
import { allocTensor, uploadTensor, type Tensor } from '../../../tensor/tensor.js';
import type { CorruptionName, Severity } from '../types.js';
import { unitTableBinding } from './constants.js';
import type { GpuCorruption, GpuJob, GpuJobInfo } from './types.js';
import { corruptionKernel } from './wgsl.js';

const NO_INDEX = 0xffffffff;

export interface PendingCorruption {
  readonly out: Tensor;
  /** The input bytes, kept when the corruption's resolver needs them. */
  readonly input: Tensor | null;
  readonly info: GpuJobInfo;
  readonly status: Tensor;
  readonly capacity: number;
  readonly impl: GpuCorruption;
}

function wordsTensor(words: Uint32Array): Tensor {
  return uploadTensor(new Int32Array(words.buffer, words.byteOffset, words.length), [words.length], 'int32');
}

/** How many flagged values a batch of n values can hold before falling back to the CPU. */
function flagCapacity(impl: GpuCorruption, n: number): number {
  return impl.resolve ? Math.min(n, Math.max(4096, Math.ceil(n / 4))) : 0;
}

/**
 * Enqueues the corruption of x [B, 3, H, W] (shape already checked) with per-image keys; nothing
 * is read back. The result is exact up to the flagged values; `finish` patches those.
 */
export function enqueueCorruption(
  op: string,
  impl: GpuCorruption,
  x: Tensor,
  keys: readonly Key[],
  name: CorruptionName,
  severity: Severity,
): PendingCorruption {
  const [batch, , height, width] = x.shape as [number, number, number, number];
  const n = batch * 3 * height * width;
  const info: GpuJobInfo = { name, severity, batch, height, width, keys };
  const capacity = flagCapacity(impl, n);
  const status = allocTensor([4 + 2 * capacity], 'int32', 'corrupt status');
  runtime().device.queue.writeBuffer(status.storageFor(op).buffer, 0, Uint32Array.of(NO_INDEX, 0, 0, 0));
  const out = allocTensor(x.shape, 'float32');
  if (n === 0) return { out, input: null, info, status, capacity, impl };

  const temporary: Tensor[] = [];
  const keyWords = new Uint32Array(2 * batch);
  keys.forEach((k, b) => keyWords.set([k.k0, k.k1], 2 * b));
  const job: GpuJob = {
    ...info,
    op,
    src: allocTensor([n], 'int32'),
    dst: allocTensor([n], 'int32'),
    keyWords: wordsTensor(keyWords),
    status,
    capacity,
    upload(words) {
      const t = wordsTensor(words);
      temporary.push(t);
      return t;
    },
    scratch(count) {
      const t = allocTensor([Math.max(1, count)], 'int32');
      temporary.push(t);
      return t;
    },
  };
  const groups = Math.ceil(n / 64);
  try {
    launch(corruptionKernel('io', 'quantize', op), {
      bindings: [x.binding(op), job.src.binding(op), status.binding(op)],
      uniforms: new UniformWriter().u32(n),
      workgroups: groups,
    });
    impl.enqueue(job);
    launch(corruptionKernel('io', 'unit', op), {
      bindings: [job.dst.binding(op), unitTableBinding(), out.binding(op)],
      uniforms: new UniformWriter().u32(n),
      workgroups: groups,
    });
  } catch (err) {
    for (const t of [out, status, job.src, job.dst, job.keyWords, ...temporary]) t.dispose();
    throw err;
  }
  const input = impl.resolveNeedsInput ? job.src : null;
  for (const t of [job.dst, job.keyWords, ...temporary]) t.dispose();
  if (!input) job.src.dispose();
  return { out, input, info, status, capacity, impl };
}

async function readWords(t: Tensor, offset: number, count: number, what: string): Promise<Uint32Array> {
  const bytes = await runtime().queue.read(t.storageFor('corrupt').buffer, 4 * offset, 4 * count, what);
  return new Uint32Array(bytes);
}

export type Fallback = () => Promise<Tensor>;

/**
 * Reads the status back: throws (naming the first bad value) when x had values outside [0, 1],
 * patches flagged values, or runs `fallback` (the CPU path) when more were flagged than fit.
 * Disposes the status; on error also the output.
 */
export async function finishCorruption(op: string, pending: PendingCorruption, x: Tensor, fallback: Fallback): Promise<Tensor> {
  const { out, status, capacity, input } = pending;
  try {
    if (out.size === 0) return out;
    const [firstBad, flagged] = await readWords(status, 0, 2, `${op} status`);
    if (firstBad !== NO_INDEX) {
      const [bits] = await readWords(x, firstBad!, 1, `${op} input value`);
      const value = new Float32Array(Uint32Array.of(bits!).buffer)[0]!;
      throw new RangeError(`${op}: values must lie in [0, 1]; found ${value} at index ${firstBad}`);
    }
    if (flagged! > capacity) {
      out.dispose();
      return await fallback();
    }
    if (flagged! > 0) {
      const entries = await readWords(status, 4, 2 * flagged!, `${op} flagged values`);
      const bytes = input ? await readWords(input, 0, input.size, `${op} input bytes`) : null;
      patchFlagged(op, pending, entries, bytes);
    }
    return out;
  } catch (err) {
    out.dispose();
    throw err;
  } finally {
    status.dispose();
    input?.dispose();
  }
}

function patchFlagged(op: string, { out, info, impl }: PendingCorruption, entries: Uint32Array, input: Uint32Array | null): void {
  const context = { input, cache: new Map<string, number>() };
  const count = entries.length / 2;
  const plane = 3 * info.height * info.width;
  const index = new Uint32Array(count);
  const value = new Float32Array(count);
  for (let j = 0; j < count; j++) {
    const i = entries[2 * j]!;
    const b = Math.floor(i / plane);
    index[j] = i;
    value[j] = impl.resolve!(info, b, i - b * plane, entries[2 * j + 1]!, context) / 255;
  }
  const indexT = wordsTensor(index);
  const valueT = uploadTensor(value, [count], 'float32');
  launch(corruptionKernel('io', 'scatter', op), {
    bindings: [indexT.binding(op), valueT.binding(op), out.binding(op)],
    uniforms: new UniformWriter().u32(count),
    workgroups: Math.ceil(count / 64),
  });
  indexT.dispose();
  valueT.dispose();
}

/**
 * The GPU corruption without a readback (for training-time pair sources, whose inputs are known to
 * be bytes k/255): no range check and flagged values keep their f32 result (within one level of
 * the reference). Image b uses keys[b].
 */
export function corruptGPUUnchecked(op: string, impl: GpuCorruption, x: Tensor, keys: readonly Key[], name: CorruptionName, severity: Severity): Tensor {
  const pending = enqueueCorruption(op, impl, x, keys, name, severity);
  pending.status.dispose();
  pending.input?.dispose();
  return pending.out;
}
