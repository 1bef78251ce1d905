/**
 * OpenCV `equalizeHist` on an 8-bit plane: i0 = the lowest occupied level; a constant image maps
 * to i0; otherwise lut[i0] = 0 and lut[i] = saturate(round(cum(i0+1..i)·s)) with the float32
 * scale s = 255/(N − hist[i0]) and a float32 product (cvRound = half to even).
 */
import { roundHalfEven } from './round.js';

export function equalizeHist(img: Uint8Array): Uint8Array {
  const hist = new Int32Array(256);
  for (const v of img) hist[v]++;
  let i = 0;
  while (hist[i] === 0) i++;
  if (hist[i] === img.length) return new Uint8Array(img.length).fill(i);
  const scale = Math.fround(255 / (img.length - hist[i]!));
  const lut = new Uint8Array(256);
  let sum = 0;
  for (lut[i++] = 0; i < 256; i++) {
    sum += hist[i]!;
    lut[i] = Math.min(255, Math.max(0, roundHalfEven(Math.fround(sum * scale))));
  }
  return img.map((v) => lut[v]!);
}
