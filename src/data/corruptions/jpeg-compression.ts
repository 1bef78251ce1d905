/**
 * jpeg_compression (spec §3.12). No random draws.
 * Pillow-equivalent baseline JPEG round trip at quality 80, 65, 58, 50, 40 with 4:2:0 subsampling
 * (jpeg/roundtrip.ts). Per 8×8 block integer DCT work; keep on the CPU (spec §7.2).
 */
import { jpegRoundTrip } from './jpeg/roundtrip.js';
import { paramsFor } from './params.js';
import type { Corruption } from './types.js';

export const jpegCompression: Corruption = {
  name: 'jpeg_compression',
  apply(image, _draws, severity) {
    return jpegRoundTrip(image.data, image.height, image.width, paramsFor('jpeg_compression', severity).quality);
  },
  unsupportedSize(height, width) {
    return height < 3 || width < 3 ? `jpeg_compression needs H, W ≥ 3, got ${height}×${width}` : null;
  },
};
