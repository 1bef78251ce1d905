/**
 * Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011), the
 * counter-based generator behind every random number in perturbset. This is the JS twin of
 * `shaders/random.wgsl`: the same counter and key give the same four 32-bit words on the CPU and
 * on the GPU, so CPU reference paths and GPU kernels draw identical random numbers.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 values (exact, via 16-bit limbs). */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const p0 = aLo * bLo;
  const p1 = aLo * bHi;
  const p2 = aHi * bLo;
  const p3 = aHi * bHi;
  const mid = (p0 >>> 16) + (p1 & 0xffff) + (p2 & 0xffff);
  return (p3 + Math.floor(p1 / 65536) + Math.floor(p2 / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * Philox-4x32 with 10 rounds. Writes the four output words to `out` (at `offset`) and returns it.
 * All inputs are uint32 values.
 */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array = new Uint32Array(4),
  offset = 0,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[offset] = x0;
  out[offset + 1] = x1;
  out[offset + 2] = x2;
  out[offset + 3] = x3;
  return out;
}

/** Counter word 3 tags that keep the derived-key streams apart from the data streams (which use 0). */
export const STREAM_SPLIT = 0x53504c54; // 'SPLT'
export const STREAM_FOLD = 0x464f4c44; // 'FOLD'

/**
 * The uint32 word `index` of the data stream of `key`: block `floor(index / 4)` is the counter
 * (c0 = low 32 bits, c1 = high bits of the block number), word `index % 4` of that block.
 * Exactly what `random.wgsl` computes for element `index`.
 */
export function streamWord(k0: number, k1: number, index: number, scratch = new Uint32Array(4)): number {
  const block = Math.floor(index / 4);
  philox4x32(block >>> 0, Math.floor(block / 4294967296) >>> 0, 0, 0, k0, k1, scratch);
  return scratch[index % 4]!;
}

/** Uniform float in [0, 1) from one uint32 word, with 24 random bits (exactly representable in f32). */
export function wordToUnit24(word: number): number {
  return (word >>> 8) * 5.9604644775390625e-8; // 2^-24
}

/** Uniform float in (0, 1] from one uint32 word (24 bits): safe as the argument of log in Box–Muller. */
export function wordToOpenUnit24(word: number): number {
  return ((word >>> 8) + 1) * 5.9604644775390625e-8;
}

/** Uniform double in [0, 1) from two uint32 words (53 random bits), for float64 CPU algorithms. */
export function wordsToUnit53(hiWord: number, loWord: number): number {
  return ((hiWord >>> 5) * 67108864 + (loWord >>> 6)) * 1.1102230246251565e-16; // (a·2^26 + b) / 2^53
}
