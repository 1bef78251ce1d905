import type { Key } from '../../../random/key.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { CorruptionName, Severity } from '../types.js';

/** What a GPU corruption knows about the batch it corrupts. */
export interface GpuJobInfo {
  readonly name: CorruptionName;
  readonly severity: Severity;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  /** The key of each image (image b of `corrupt(key, …)` uses foldIn(key, b)). */
  readonly keys: readonly Key[];
}

/** One corruption on the GPU: kernels from `src` (input bytes) to `dst` (stored bytes). */
export interface GpuJob extends GpuJobInfo {
  /** For error messages, e.g. 'corrupt'. */
  readonly op: string;
  /** Input bytes round(255·x), one u32 per value, NCHW. */
  readonly src: Tensor;
  /** Output bytes, one u32 per value, NCHW. */
  readonly dst: Tensor;
  /** The image keys as u32 pairs (k0, k1), `array<vec2<u32>>`. */
  readonly keyWords: Tensor;
  /** status buffer (see shaders/corruptions_io.wgsl); flagged values go here. */
  readonly status: Tensor;
  /** How many flagged values `status` holds. */
  readonly capacity: number;
  /** A u32 buffer with these words, disposed when the job has been enqueued. */
  upload(words: Uint32Array): Tensor;
  /** An uninitialised buffer of `n` words, disposed when the job has been enqueued. */
  scratch(n: number): Tensor;
}

export interface GpuCorruption {
  readonly name: CorruptionName;
  /** Enqueues the kernels that turn `job.src` into `job.dst`. */
  enqueue(job: GpuJob): void;
  /**
   * For kernels that flag values whose byte f32 cannot decide like the float64 reference: the
   * stored byte of flagged element e (= c·H·W + y·W + x) of image b, computed on the CPU from the
   * kernel's payload. Without it the kernel never flags.
   */
  resolve?(job: GpuJobInfo, b: number, e: number, payload: number, context: ResolveContext): number;
  /** `resolve` reads the input bytes (`context.input`): the GPU keeps them until the status is read. */
  readonly resolveNeedsInput?: boolean;
  /** Why an H×W image cannot be corrupted on the GPU (the CPU path is used then), or null. */
  unsupported?(height: number, width: number): string | null;
}

/** What `resolve` may use besides the payload; `cache` lives for one batch of flagged values. */
export interface ResolveContext {
  /** The input bytes of the whole batch (NCHW), when the corruption asked for them. */
  readonly input: Uint32Array | null;
  readonly cache: Map<string, number>;
}
