/**
 * libjpeg's fixed-point colour conversions (jccolor.c, jdcolor.c; spec P9 steps 1 and 8).
 * All arithmetic is on integers; `>> 16` is an arithmetic shift (floor).
 */

/** RGB (0..255) → [Y, Cb, Cr] (0..255). */
export function rgbToYcc(r: number, g: number, b: number, out: Int32Array): void {
  out[0] = (19595 * r + 38470 * g + 7471 * b + 32768) >> 16;
  out[1] = (-11059 * r - 21709 * g + 32768 * b + 8421375) >> 16;
  out[2] = (32768 * r - 27439 * g - 5329 * b + 8421375) >> 16;
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** [Y, Cb, Cr] → RGB, each clamped to 0..255 (libjpeg's range-limit table). */
export function yccToRgb(y: number, cbByte: number, crByte: number, out: Int32Array): void {
  const cb = cbByte - 128;
  const cr = crByte - 128;
  out[0] = clampByte(y + ((91881 * cr + 32768) >> 16));
  out[1] = clampByte(y + ((-22554 * cb - 46802 * cr + 32768) >> 16));
  out[2] = clampByte(y + ((116130 * cb + 32768) >> 16));
}
