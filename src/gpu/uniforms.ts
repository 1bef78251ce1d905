/**
 * Packs kernel parameters into the bytes of a WGSL uniform struct. Kernels declare their struct
 * with the same field order; `dims` arrays are `array<vec4<u32>, 2>` (rank ≤ 8), placed first so
 * that every field stays naturally aligned.
 */
export const MAX_RANK = 8;

export class UniformWriter {
  private readonly words: number[] = [];
  private readonly kinds: ('u32' | 'i32' | 'f32')[] = [];

  u32(value: number): this {
    if (!(value >= 0 && value <= 0xffffffff) || !Number.isInteger(value)) {
      throw new RangeError(`uniform u32 out of range: ${value}`);
    }
    this.words.push(value);
    this.kinds.push('u32');
    return this;
  }

  i32(value: number): this {
    this.words.push(value | 0);
    this.kinds.push('i32');
    return this;
  }

  f32(value: number): this {
    this.words.push(value);
    this.kinds.push('f32');
    return this;
  }

  /** A rank-≤8 array of u32 as `array<vec4<u32>, 2>`, zero-padded; must start 16-byte aligned. */
  dims(values: readonly number[]): this {
    if (this.words.length % 4 !== 0) throw new Error('UniformWriter.dims: must start on a 16-byte boundary');
    if (values.length > MAX_RANK) throw new RangeError(`tensor rank ${values.length} exceeds the maximum ${MAX_RANK}`);
    for (let i = 0; i < MAX_RANK; i++) this.u32(values[i] ?? 0);
    return this;
  }

  /** The struct's bytes, padded to a multiple of 16. */
  bytes(): Uint8Array {
    const count = Math.max(4, Math.ceil(this.words.length / 4) * 4);
    const buffer = new ArrayBuffer(count * 4);
    const u = new Uint32Array(buffer);
    const i = new Int32Array(buffer);
    const f = new Float32Array(buffer);
    this.words.forEach((w, k) => {
      const kind = this.kinds[k];
      if (kind === 'f32') f[k] = w;
      else if (kind === 'i32') i[k] = w;
      else u[k] = w;
    });
    return new Uint8Array(buffer);
  }
}
