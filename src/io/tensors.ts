import { fmtShape } from '../tensor/shape.js';
import { assertTensor, isTensor, uploadTensor, type Tensor } from '../tensor/tensor.js';
import type { HostTensor } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsDtype } from './safetensors.js';

export type NamedTensors = Record<string, Tensor> | readonly (readonly [string, Tensor])[];

/** Copies tensors to the CPU as host tensors (one readback each, all queued before the first wait). */
export async function toHost(named: NamedTensors): Promise<[string, HostTensor][]> {
  const entries = Array.isArray(named) ? [...named] : Object.entries(named);
  entries.forEach(([name, t]) => assertTensor('saveSafetensors', t, `tensor '${name}'`));
  const datas = await Promise.all(entries.map(([, t]) => t.data()));
  return entries.map(([name, t], i) => [name, { dtype: t.dtype, shape: [...t.shape], data: datas[i]! }]);
}

export interface SaveSafetensorsOptions {
  metadata?: Record<string, string>;
  /** Storage dtype per tensor (F16/BF16 for float32, I64 for int32); default F32 / I32. */
  dtypes?: Record<string, SafetensorsDtype>;
}

/** Serialises named tensors in the safetensors format (what `safetensors.torch.save_file` writes). */
export async function saveSafetensors(named: NamedTensors, opts: SaveSafetensorsOptions = {}): Promise<Uint8Array> {
  const host = await toHost(named);
  return encodeSafetensors(host, opts.metadata, { dtypes: opts.dtypes });
}

/** Reads a safetensors file into GPU tensors (F16/BF16 upcast to float32, I64 narrowed to int32 with a range check). */
export function loadSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  return readSafetensors(bytes).tensors;
}

/** Like `loadSafetensors`, also returning the `__metadata__` strings. */
export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`loadSafetensors: expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  const decoded = decodeSafetensors(bytes);
  const tensors: Record<string, Tensor> = {};
  for (const [name, h] of Object.entries(decoded.tensors)) tensors[name] = uploadTensor(h.data, h.shape, h.dtype);
  return { tensors, metadata: decoded.metadata };
}

/** Checks that `value` maps names to tensors (for error messages at API boundaries). */
export function assertNamedTensors(op: string, value: unknown): asserts value is Record<string, Tensor> {
  if (value === null || typeof value !== 'object') throw new TypeError(`${op}: expected an object of named tensors`);
  for (const [name, t] of Object.entries(value)) {
    if (!isTensor(t)) throw new TypeError(`${op}: '${name}' is not a Tensor`);
    if (t.isDisposed) throw new Error(`${op}: '${name}' ${fmtShape(t.shape)} has been disposed`);
  }
}
