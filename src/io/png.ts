/**
 * Minimal PNG writer: 8-bit grayscale, RGB or RGBA, non-interlaced, filter type 0 (None) on every
 * row. Chunks: IHDR, IDAT (one zlib stream), IEND, each with its CRC-32.
 *
 * The zlib stream comes from the platform's `CompressionStream('deflate')` (RFC 1950 zlib framing:
 * exactly what IDAT wants). Where that does not exist, or with `{ compress: false }`, the stream
 * is written by hand from "stored" (uncompressed) deflate blocks, which every decoder accepts.
 */
import { runTransform } from './gzip.js';

export type PNGChannels = 1 | 3 | 4;

export type PNGOptions = {
  /**
   * Channels written: 1 = grayscale, 3 = RGB, 4 = RGBA. Defaults to the input's channel count,
   * which is inferred from its length (width × height × 1, 3 or 4 bytes, interleaved, row-major).
   * Conversions: gray -> RGB/RGBA replicate; adding alpha writes 255; RGBA -> RGB drops alpha
   * (torchvision's `save_image` writes RGB); RGB/RGBA -> gray needs R = G = B in every pixel.
   */
  channels?: PNGChannels;
  /** false: stored (uncompressed) deflate blocks. Default true when CompressionStream exists. */
  compress?: boolean;
};

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_TYPE: Record<PNGChannels, number> = { 1: 0, 3: 2, 4: 6 };

/** Encode interleaved 8-bit pixels as a PNG file. */
export async function encodePNG(
  pixels: Uint8Array,
  width: number,
  height: number,
  options: PNGOptions = {},
): Promise<Uint8Array> {
  if (!(pixels instanceof Uint8Array)) throw new Error('encodePNG: pixels must be a Uint8Array');
  for (const [what, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) throw new Error(`encodePNG: ${what} is ${v}, expected an integer in 1..2^31-1`);
  }
  const npix = width * height;
  const inCh = pixels.length / npix;
  if (inCh !== 1 && inCh !== 3 && inCh !== 4) {
    throw new Error(
      `encodePNG: ${pixels.length} bytes is not ${width}×${height} pixels of 1, 3 or 4 channels ` +
        `(expected ${npix}, ${npix * 3} or ${npix * 4})`,
    );
  }
  const outCh = options.channels ?? (inCh as PNGChannels);
  if (outCh !== 1 && outCh !== 3 && outCh !== 4) throw new Error(`encodePNG: channels is ${String(outCh)}, expected 1, 3 or 4`);

  // Scanlines: one filter byte (0 = None) then the row's pixels.
  const stride = width * outCh;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const rowOut = y * (stride + 1) + 1;
    const rowIn = y * width * inCh;
    if (inCh === outCh) {
      raw.set(pixels.subarray(rowIn, rowIn + stride), rowOut);
      continue;
    }
    for (let x = 0; x < width; x++) {
      const i = rowIn + x * inCh;
      const o = rowOut + x * outCh;
      const r = pixels[i]!;
      const g = inCh === 1 ? r : pixels[i + 1]!;
      const b = inCh === 1 ? r : pixels[i + 2]!;
      if (outCh === 1) {
        if (r !== g || r !== b) {
          throw new Error(`encodePNG: pixel (${x}, ${y}) is (${r}, ${g}, ${b}); grayscale output needs R = G = B`);
        }
        raw[o] = r;
      } else {
        raw[o] = r;
        raw[o + 1] = g;
        raw[o + 2] = b;
        if (outCh === 4) raw[o + 3] = inCh === 4 ? pixels[i + 3]! : 255;
      }
    }
  }

  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[outCh];
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace

  const useStream = options.compress !== false && typeof CompressionStream === 'function';
  const idat = useStream ? await runTransform(new CompressionStream('deflate'), raw) : zlibStored(raw);

  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(SIGNATURE.length + chunks.reduce((s, c) => s + c.length, 0));
  out.set(SIGNATURE, 0);
  let pos = SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** One PNG chunk: u32 BE length, 4-byte type, data, CRC-32 of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309 / PNG / gzip; reflected polynomial 0xEDB88320). */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Adler-32 (the zlib trailer checksum). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  // Reduce every 5552 bytes (zlib's NMAX) so the sums stay small exact integers.
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + 5552, bytes.length);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream (RFC 1950) made of stored deflate blocks (RFC 1951 §3.2.4): no compression. */
export function zlibStored(data: Uint8Array): Uint8Array {
  const MAX = 65535;
  const nblocks = Math.max(1, Math.ceil(data.length / MAX));
  const out = new Uint8Array(2 + nblocks * 5 + data.length + 4);
  out[0] = 0x78; // CM = 8 (deflate), CINFO = 7 (32 KiB window)
  out[1] = 0x01; // FLEVEL 0, no dictionary; (0x78 << 8 | 0x01) % 31 === 0
  let pos = 2;
  for (let k = 0; k < nblocks; k++) {
    const start = k * MAX;
    const len = Math.min(MAX, data.length - start);
    out[pos] = k === nblocks - 1 ? 1 : 0; // BFINAL, BTYPE = 00 (stored)
    out[pos + 1] = len & 0xff;
    out[pos + 2] = len >>> 8;
    out[pos + 3] = ~len & 0xff;
    out[pos + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), pos + 5);
    pos += 5 + len;
  }
  new DataView(out.buffer).setUint32(pos, adler32(data));
  return out;
}
