import { STORAGE_USAGE } from '../gpu/buffer-pool.js';
import type { Binding } from '../gpu/queue.js';
import { runtime } from '../gpu/runtime.js';
import { typedArrayFor, type DType, type TypedArray } from './dtype.js';
import { fmtShape, sizeOf, type Shape } from './shape.js';
import { registerTensorClass, trackTensor, untrackTensor } from './tracking.js';

/** A GPU buffer shared by a tensor and its aliases (reshapes, tape references); freed at refcount 0. */
export class Storage {
  private refs = 1;
  readonly buffer: GPUBuffer;
  /** Bytes that hold data (the pooled buffer may be larger). */
  readonly bytes: number;
  constructor(buffer: GPUBuffer, bytes: number) {
    this.buffer = buffer;
    this.bytes = bytes;
  }
  retain(): this {
    this.refs++;
    return this;
  }
  release(): void {
    if (--this.refs === 0) runtime().pool.release(this.buffer);
  }
}

let nextTensorId = 1;

/**
 * An n-dimensional array on the GPU: contiguous, row-major, float32 or int32. Ops never mutate
 * their inputs (optimisers and batch-norm running statistics are the documented exceptions).
 */
export class Tensor {
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  private storage_: Storage | null;

  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.id = nextTensorId++;
    this.storage_ = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    trackTensor(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storage_ === null;
  }

  /** The underlying storage; throws (naming `op`) if the tensor was disposed. */
  storageFor(op: string): Storage {
    if (!this.storage_) throw new Error(`${op}: tensor #${this.id} ${fmtShape(this.shape)} ${this.dtype} has been disposed`);
    return this.storage_;
  }

  /** The buffer binding of this tensor's data, for kernels. */
  binding(op: string): Binding {
    const s = this.storageFor(op);
    return { buffer: s.buffer, size: Math.max(4, this.size * 4) };
  }

  /** A new tensor object viewing the same data with another shape of the same size (no copy). */
  view(shape: Shape, op = 'view'): Tensor {
    return new Tensor(this.storageFor(op).retain(), shape, this.dtype);
  }

  dispose(): void {
    if (!this.storage_) return;
    untrackTensor(this);
    this.storage_.release();
    this.storage_ = null;
  }

  /** Copies the data to the CPU (submits queued GPU work first). */
  async data(): Promise<TypedArray> {
    const s = this.storageFor('data');
    const bytes = await runtime().queue.read(s.buffer, 0, this.size * 4, `data() of ${fmtShape(this.shape)} tensor`);
    return typedArrayFor(this.dtype, bytes);
  }

  /** The data as nested JS arrays (a number for rank 0). */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** The single value of a size-1 tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item: tensor must have exactly one element, got shape ${fmtShape(this.shape)}`);
    return (await this.data())[0]!;
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}${this.isDisposed ? ', disposed' : ''})`;
  }
}

export type NestedArray = number | NestedArray[];

function nest(data: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0]!;
  const build = (offset: number, dim: number): NestedArray[] => {
    const n = shape[dim]!;
    const out: NestedArray[] = [];
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out.push(data[offset + i]!);
      return out;
    }
    const stride = sizeOf(shape.slice(dim + 1));
    for (let i = 0; i < n; i++) out.push(build(offset + i * stride, dim + 1));
    return out;
  };
  return build(0, 0);
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
registerTensorClass(isTensor);

/** A new, uninitialised tensor. */
export function allocTensor(shape: Shape, dtype: DType, label?: string): Tensor {
  const bytes = Math.max(4, sizeOf(shape) * 4);
  const rt = runtime();
  const maxBinding = rt.limits.maxStorageBufferBindingSize ?? 134217728;
  if (bytes > maxBinding) {
    throw new RangeError(`tensor of shape ${fmtShape(shape)} needs ${bytes} bytes, more than this device's maxStorageBufferBindingSize (${maxBinding})`);
  }
  const buffer = rt.pool.acquire(bytes, STORAGE_USAGE, label);
  return new Tensor(new Storage(buffer, bytes), shape, dtype);
}

/** A new tensor holding `data` (uploaded with queue.writeBuffer). */
export function uploadTensor(data: TypedArray, shape: Shape, dtype: DType): Tensor {
  const t = allocTensor(shape, dtype);
  if (data.length > 0) runtime().device.queue.writeBuffer(t.storageFor('tensor').buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return t;
}

/** Asserts `value` is a live tensor; the error names the op and the argument. */
export function assertTensor(op: string, value: unknown, argName = 'input'): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${op}: ${argName} must be a Tensor, got ${value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value}`);
  }
  if (value.isDisposed) throw new Error(`${op}: ${argName} (tensor #${value.id} ${fmtShape(value.shape)}) has been disposed`);
}
