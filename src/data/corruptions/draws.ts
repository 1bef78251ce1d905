/**
 * Counter-based random draws for one image (spec §7.3), built on Philox-4x32-10 so that a WGSL
 * port draws exactly the same numbers.
 *
 * Word `i` of stream `s`, attempt `a`, under the image key (k0, k1) is
 *
 *     philox4x32(counter = (floor(i / 4), s, a, 0), key = (k0, k1))[i mod 4]
 *
 * Stream 0 / attempt 0 is the key's ordinary data stream (`streamWord` in random/philox.ts).
 * Each corruption gives every array of draws its own stream number (documented at the top of its
 * file), so draw positions never depend on how many draws another array used. On top of words:
 *
 * - uniform j of stream s (double in [0, 1), 53 bits): words 2j (high) and 2j+1 (low), i.e. block
 *   floor(j/2), words 2(j mod 2) and 2(j mod 2)+1, combined by `wordsToUnit53`.
 * - normal n of stream s: Box–Muller on uniforms 2m and 2m+1 with m = floor(n/2) (= Philox block m):
 *   r = sqrt(−2 ln(1 − u0)), θ = 2π u1; even n takes r·cos θ, odd n takes r·sin θ (both outputs used).
 * - integer i below n of stream s: Lemire's multiply-shift on word i, unbiased by rejection; a
 *   rejected word (probability < n/2^32) is replaced by word i of attempt 1, 2, … of the same stream.
 */
import type { Key } from '../../random/key.js';
import { philox4x32, wordsToUnit53 } from '../../random/philox.js';

const TWO_PI = 2 * Math.PI;
const TWO_POW_32 = 4294967296;

export class Draws {
  readonly key: Key;
  private readonly block = new Uint32Array(4);
  private cachedBlock = -1;
  private cachedStream = -1;
  private cachedAttempt = -1;

  constructor(key: Key) {
    this.key = key;
  }

  /** The four words of Philox block `block` of stream `stream`, attempt `attempt` (a shared scratch array: read it at once). */
  blockWords(block: number, stream: number, attempt = 0): Uint32Array {
    if (block !== this.cachedBlock || stream !== this.cachedStream || attempt !== this.cachedAttempt) {
      philox4x32(block, stream, attempt, 0, this.key.k0, this.key.k1, this.block);
      this.cachedBlock = block;
      this.cachedStream = stream;
      this.cachedAttempt = attempt;
    }
    return this.block;
  }

  word(stream: number, index: number, attempt = 0): number {
    return this.blockWords(Math.floor(index / 4), stream, attempt)[index % 4]!;
  }

  /** Uniform double in [0, 1). */
  uniform(stream: number, j: number): number {
    const w = this.blockWords(Math.floor(j / 2), stream);
    const o = 2 * (j % 2);
    return wordsToUnit53(w[o]!, w[o + 1]!);
  }

  /** numpy `uniform(lo, hi)`: lo + (hi − lo)·u. */
  uniformIn(stream: number, j: number, lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform(stream, j);
  }

  /** Standard normal (Box–Muller, see the file comment). */
  normal(stream: number, n: number): number {
    const m = Math.floor(n / 2);
    const u0 = this.uniform(stream, 2 * m);
    const u1 = this.uniform(stream, 2 * m + 1);
    const r = Math.sqrt(-2 * Math.log(1 - u0)); // 1 − u0 ∈ (0, 1]
    return n % 2 === 0 ? r * Math.cos(TWO_PI * u1) : r * Math.sin(TWO_PI * u1);
  }

  /** Unbiased integer in [0, n), 1 ≤ n ≤ 2^21 (Lemire; see the file comment). */
  intBelow(stream: number, i: number, n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2097152) {
      throw new RangeError(`Draws.intBelow: n must be an integer in [1, 2^21], got ${n}`);
    }
    const threshold = TWO_POW_32 % n; // (2^32 − n) mod n: low parts below it are rejected
    for (let attempt = 0; ; attempt++) {
      const product = this.word(stream, i, attempt) * n; // < 2^53: exact
      const low = product % TWO_POW_32;
      if (low >= threshold) return Math.floor(product / TWO_POW_32);
    }
  }
}
