/**
 * pixelate (spec §3.11). No random draws.
 * Pillow BOX resize W×H → int(W·c)×int(H·c), then back to W×H (P5), on the 8-bit image.
 * Per output pixel: nearest neighbour into the small image, whose pixels are box averages.
 */
import { paramsFor } from './params.js';
import { boxResizeBytes } from './primitives/box-resize.js';
import type { Corruption, Severity } from './types.js';

/** The intermediate size: Python int(n·c) (spec: 30, 28, 27, 24, 20 for n = 32). */
export function pixelateSize(n: number, severity: Severity): number {
  return Math.trunc(n * paramsFor('pixelate', severity).factor);
}

export const pixelate: Corruption = {
  name: 'pixelate',
  apply(image, _draws, severity) {
    const { height, width, data } = image;
    const h = pixelateSize(height, severity);
    const w = pixelateSize(width, severity);
    const small = boxResizeBytes(data, height, width, h, w);
    return boxResizeBytes(small, h, w, height, width);
  },
  unsupportedSize(height, width) {
    return pixelateSize(Math.min(height, width), 5) < 1 ? `pixelate needs H, W ≥ 2, got ${height}×${width}` : null;
  },
};
