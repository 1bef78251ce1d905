/**
 * PNG decoding for 8-bit non-interlaced images (grayscale, gray+alpha, RGB, RGBA, palette) —
 * enough to bring a user's photo into the walk-through. The zlib stream is inflated by the
 * platform's DecompressionStream('deflate'); scanline filters follow the PNG spec §9.
 */
import { crc32 } from './png.js';
import { runTransform } from './gzip.js';

export interface DecodedPNG {
  width: number;
  height: number;
  /** Interleaved RGBA, 4 bytes per pixel. */
  rgba: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export async function decodePNG(bytes: Uint8Array): Promise<DecodedPNG> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodePNG: expected a Uint8Array');
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('decodePNG: not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (pos + 12 + length > bytes.length) throw new Error(`decodePNG: chunk ${type} at byte ${pos} runs past the end of the file`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const crc = view.getUint32(pos + 8 + length);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== crc) throw new Error(`decodePNG: chunk ${type} at byte ${pos} has a bad CRC`);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = h.getUint32(0);
      height = h.getUint32(4);
      const depth = data[8]!;
      colorType = data[9]!;
      if (depth !== 8) throw new Error(`decodePNG: only 8-bit images are supported, this one has bit depth ${depth}`);
      if (!(colorType in CHANNELS)) throw new Error(`decodePNG: unknown colour type ${colorType}`);
      if (data[12] !== 0) throw new Error('decodePNG: interlaced images are not supported');
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      transparency = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + length;
  }
  if (colorType < 0 || width === 0 || height === 0) throw new Error('decodePNG: missing or empty IHDR');
  if (idat.length === 0) throw new Error('decodePNG: no image data (IDAT)');
  if (colorType === 3 && !palette) throw new Error('decodePNG: palette image without a PLTE chunk');
  const compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of idat) {
    compressed.set(c, offset);
    offset += c.length;
  }
  let raw: Uint8Array;
  try {
    raw = await runTransform(new DecompressionStream('deflate'), compressed);
  } catch (err) {
    throw new Error(`decodePNG: corrupt image data: ${(err as Error).message}`);
  }
  const channels = CHANNELS[colorType]!;
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new Error(`decodePNG: image data holds ${raw.length} bytes, expected ${(stride + 1) * height}`);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[row + x - channels]! : 0;
      const up = y > 0 ? pixels[row - stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[row - stride + x - channels]! : 0;
      const v = raw[src + x]!;
      let out: number;
      if (filter === 0) out = v;
      else if (filter === 1) out = v + left;
      else if (filter === 2) out = v + up;
      else if (filter === 3) out = v + ((left + up) >> 1);
      else if (filter === 4) out = v + paeth(left, up, upLeft);
      else throw new Error(`decodePNG: unknown filter type ${filter} on row ${y}`);
      pixels[row + x] = out & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = p * channels;
    let r: number, g: number, b: number, a = 255;
    if (colorType === 0) r = g = b = pixels[s]!;
    else if (colorType === 4) [r, g, b, a] = [pixels[s]!, pixels[s]!, pixels[s]!, pixels[s + 1]!];
    else if (colorType === 2) [r, g, b] = [pixels[s]!, pixels[s + 1]!, pixels[s + 2]!];
    else if (colorType === 6) [r, g, b, a] = [pixels[s]!, pixels[s + 1]!, pixels[s + 2]!, pixels[s + 3]!];
    else {
      const i = pixels[s]!;
      if (3 * i + 2 >= palette!.length) throw new Error(`decodePNG: palette index ${i} is out of range`);
      [r, g, b] = [palette![3 * i]!, palette![3 * i + 1]!, palette![3 * i + 2]!];
      if (transparency && i < transparency.length) a = transparency[i]!;
    }
    rgba.set([r, g, b, a], p * 4);
  }
  return { width, height, rgba };
}

/**
 * An RGBA image as float32 CHW RGB in [0, 1], resized to size×size by area averaging when
 * shrinking and bilinear interpolation when enlarging (alpha is composited over black).
 */
export function rgbaToCHW(image: DecodedPNG, size: number): Float32Array {
  const { width: W, height: H, rgba } = image;
  const out = new Float32Array(3 * size * size);
  const sample = (x: number, y: number, c: number) => {
    const xi = Math.min(W - 1, Math.max(0, x));
    const yi = Math.min(H - 1, Math.max(0, y));
    const p = (yi * W + xi) * 4;
    return (rgba[p + c]! * rgba[p + 3]!) / (255 * 255);
  };
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      // Source footprint of this output pixel.
      const x0 = (ox * W) / size;
      const x1 = ((ox + 1) * W) / size;
      const y0 = (oy * H) / size;
      const y1 = ((oy + 1) * H) / size;
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (x1 - x0 >= 1 && y1 - y0 >= 1) {
          let s = 0;
          let n = 0;
          for (let y = Math.floor(y0); y < Math.ceil(y1); y++) for (let x = Math.floor(x0); x < Math.ceil(x1); x++, n++) s += sample(x, y, c);
          v = s / n;
        } else {
          const fx = Math.max(0, (ox + 0.5) * (W / size) - 0.5);
          const fy = Math.max(0, (oy + 0.5) * (H / size) - 0.5);
          const ix = Math.floor(fx);
          const iy = Math.floor(fy);
          const tx = fx - ix;
          const ty = fy - iy;
          v = (1 - ty) * ((1 - tx) * sample(ix, iy, c) + tx * sample(ix + 1, iy, c)) + ty * ((1 - tx) * sample(ix, iy + 1, c) + tx * sample(ix + 1, iy + 1, c));
        }
        out[(c * size + oy) * size + ox] = v;
      }
    }
  }
  return out;
}
