/**
 * The reference's storage rule (spec §1, P10): a float result v in [0,1] units is stored as
 * `np.uint8(np.clip(v, 0, 1) * 255)`, i.e. floor(255·clip(v, 0, 1)). The clip is the reference's.
 */
export function storeUnit(v: number): number {
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return Math.floor(c * 255);
}

/** The same rule for values already in 0..255 units (frost): floor(clip(v, 0, 255)). */
export function store255(v: number): number {
  return Math.floor(v < 0 ? 0 : v > 255 ? 255 : v);
}

/** Round half up and clamp to 0..255: 8-bit output of ImageMagick and of OpenCV integer paths. */
export function roundByte(v: number): number {
  const r = Math.floor(v + 0.5);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

/** Stored bytes → float64 in [0,1] (`u / 255`, exact division as numpy does it). */
export function bytesToUnit(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}

/** Apply `storeUnit` to every value. */
export function storeUnitAll(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = storeUnit(values[i]!);
  return out;
}

/**
 * The storage rule for results the reference holds in float32: `np.clip(v, 0, 1) * 255` is a
 * float32 product there, so the product is rounded to float32 before the floor. (With float64,
 * fround(k/255)·255 can fall just below k and floor to k − 1.)
 */
export function storeUnitF32(v: number): number {
  const c = v < 0 ? 0 : v > 1 ? 1 : v;
  return Math.floor(Math.fround(c * 255));
}

/** `np.array(u, dtype=np.float32) / 255.`: float32 values. */
export function bytesToUnitF32(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = Math.fround(bytes[i]! / 255);
  return out;
}
