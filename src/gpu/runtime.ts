import { BufferPool } from './buffer-pool.js';
import { acquireDevice, grantedLimits, type AdapterInfo, type InitOptions } from './device.js';
import { GPUErrorLog } from './errors.js';
import { PipelineCache } from './pipelines.js';
import { CommandQueue } from './queue.js';

/** The WebGPU device and everything that hangs off it; one per process (see `init`). */
export class Runtime {
  readonly device: GPUDevice;
  readonly adapterInfo: AdapterInfo;
  readonly limits: Readonly<Record<string, number>>;
  readonly pool: BufferPool;
  readonly queue: CommandQueue;
  readonly pipelines: PipelineCache;
  readonly errors: GPUErrorLog;

  constructor(device: GPUDevice, adapterInfo: AdapterInfo) {
    this.device = device;
    this.adapterInfo = adapterInfo;
    this.limits = Object.freeze(grantedLimits(device));
    this.errors = new GPUErrorLog();
    this.pool = new BufferPool(device);
    this.queue = new CommandQueue(device, this.pool, this.errors);
    this.pipelines = new PipelineCache(device, this.errors);
    device.addEventListener('uncapturederror', (event) => {
      this.errors.recordError((event as GPUUncapturedErrorEvent).error.message);
    });
    void device.lost.then((info) => {
      this.errors.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  get maxWorkgroupsPerDimension(): number {
    return this.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  }

  /** Releases the device; tensors created on it become unusable. */
  destroy(): void {
    this.queue.flush();
    this.pool.trim();
    this.device.destroy();
    if (current === this) current = null;
  }
}

let current: Runtime | null = null;
let pending: Promise<Runtime> | null = null;

/**
 * Finds WebGPU (navigator.gpu in browsers and Deno, the `webgpu` package in Node), requests the
 * adapter's maximum limits and makes the device current. Calling it again returns the same runtime.
 */
export async function init(opts: InitOptions = {}): Promise<Runtime> {
  if (current) {
    if (opts.device && opts.device !== current.device) {
      throw new Error('perturbset.init: already initialised with another device; call runtime.destroy() first');
    }
    return current;
  }
  if (!pending) {
    pending = acquireDevice(opts)
      .then(({ device, adapterInfo }) => (current = new Runtime(device, adapterInfo)))
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** The current runtime; throws if `init()` has not completed. */
export function runtime(): Runtime {
  if (!current) throw new Error('perturbset: no GPU runtime; call `await ps.init()` first');
  return current;
}

export function hasRuntime(): boolean {
  return current !== null;
}

/** Submits all queued GPU work and waits for it to finish. */
export async function flush(): Promise<void> {
  if (current) await current.queue.sync();
}
