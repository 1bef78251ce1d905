/**
 * Builds the u32 words of a kernel's parameter buffer (`array<u32>` in WGSL; floats are stored as
 * their bit patterns and read with `bitcast<f32>`).
 */
export class WordWriter {
  private words = new Uint32Array(64);
  private f32 = new Float32Array(this.words.buffer);
  private i32 = new Int32Array(this.words.buffer);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.words.length) {
      const grown = new Uint32Array(Math.max(2 * this.words.length, this.length + n));
      grown.set(this.words);
      this.words = grown;
      this.f32 = new Float32Array(grown.buffer);
      this.i32 = new Int32Array(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u32(v: number): this {
    const at = this.reserve(1); // before reading this.words: reserve may replace it
    this.words[at] = v >>> 0;
    return this;
  }

  i32v(v: number): this {
    const at = this.reserve(1);
    this.i32[at] = v | 0;
    return this;
  }

  /** A float, rounded to float32. */
  f32v(v: number): this {
    const at = this.reserve(1);
    this.f32[at] = v;
    return this;
  }

  /** Appends words; returns the offset of the first. */
  append(values: ArrayLike<number>): number {
    const at = this.reserve(values.length);
    for (let i = 0; i < values.length; i++) this.words[at + i] = values[i]! >>> 0;
    return at;
  }

  /** Pads with zeros to a multiple of `n` words. */
  align(n: number): this {
    while (this.length % n !== 0) this.u32(0);
    return this;
  }

  /** The words written so far (at least one: a binding cannot be empty). */
  finish(): Uint32Array {
    return this.words.slice(0, Math.max(1, this.length));
  }
}

/** Splits a 53-bit integer T (0 ≤ T ≤ 2^53) into (T >> 26, T & (2^26 − 1)) for `unit53_less`. */
export function split53(t: number): [number, number] {
  const hi = Math.floor(t / 67108864);
  return [hi, t - hi * 67108864];
}

/** The threshold of the exact test u < t for a uniform double u = m/2^53: m < ceil(t·2^53). */
export function unitThreshold(t: number): [number, number] {
  return split53(Math.min(9007199254740992, Math.max(0, Math.ceil(t * 9007199254740992))));
}
