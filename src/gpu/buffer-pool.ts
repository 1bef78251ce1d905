/**
 * GPU buffers recycled by size bucket and usage. A released buffer goes to a pending list and
 * becomes reusable only after the next submit: `queue.writeBuffer` runs on the queue timeline
 * ahead of commands that are encoded but not yet submitted, so reusing a buffer earlier could let
 * a new tensor's upload overwrite data that a queued dispatch still has to read.
 */

export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
export const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
export const READBACK_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;

/** Bucket sizes: 256-byte minimum, then steps of a quarter power of two (at most 25% waste). */
export function bucketSize(bytes: number): number {
  if (bytes <= 256) return 256;
  const exponent = Math.ceil(Math.log2(bytes));
  const step = Math.max(256, 2 ** (exponent - 3));
  return Math.ceil(bytes / step) * step;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  /** Buffers handed out and not yet released. */
  inUseBuffers = 0;
  inUseBytes = 0;
  pooledBuffers = 0;
  pooledBytes = 0;
  private readonly device: GPUDevice;
  constructor(device: GPUDevice) {
    this.device = device;
  }

  acquire(bytes: number, usage: number, label?: string): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.free.get(poolKey(size, usage));
    let buffer = list?.pop();
    if (buffer) {
      this.pooledBuffers--;
      this.pooledBytes -= size;
    } else {
      buffer = this.device.createBuffer({ size, usage, label });
    }
    this.inUseBuffers++;
    this.inUseBytes += size;
    return buffer;
  }

  /** Returns a buffer; it becomes reusable after the next submit (see `afterSubmit`). */
  release(buffer: GPUBuffer): void {
    this.inUseBuffers--;
    this.inUseBytes -= buffer.size;
    this.pending.push(buffer);
    this.pooledBuffers++;
    this.pooledBytes += buffer.size;
  }

  afterSubmit(): void {
    for (const buffer of this.pending) {
      const key = poolKey(buffer.size, buffer.usage);
      let list = this.free.get(key);
      if (!list) this.free.set(key, (list = []));
      list.push(buffer);
    }
    this.pending = [];
  }

  /** Destroys every idle buffer (pending ones stay until their submit). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.pooledBuffers--;
        this.pooledBytes -= buffer.size;
        buffer.destroy();
      }
    }
    this.free.clear();
  }
}

function poolKey(size: number, usage: number): string {
  return `${usage}:${size}`;
}
