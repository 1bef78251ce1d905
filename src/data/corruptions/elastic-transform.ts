/**
 * elastic_transform (spec §3.10), with (α, s, A) from the table (32-px values).
 *   x = float32(u/255)
 *   affine: centre = (H//2, W//2), q = min(H, W)//3, source points (as OpenCV (x, y)):
 *     (c0 + q, c1 + q), (c0 + q, c1 − q), (c0 − q, c1 − q)   [the reference mixes row/col for
 *     non-square images; reproduced literally] — (26, 26), (26, 6), (6, 6) at 32×32;
 *     destination = source + float32(U(−A, A)) per coordinate;
 *     x ← warpAffine(x, getAffineTransform(src, dst), reflect101) (P7a, float32)
 *   dx = float32(α·gaussian(Ux, s, reflect, truncate 3)), dy likewise from Uy (Ux, Uy ~ U(−1, 1))
 *   out(y, x, c) = map_coordinates(x_c, row y + dy, col x + dx, order 1, reflect) (P7b), float32
 *   stored floor(float32(255·clip(out)))
 *
 * Draw layout: stream 0, uniforms 0..5: jitter of p0.x, p0.y, p1.x, p1.y, p2.x, p2.y;
 * stream 1, uniform p: Ux at pixel p = y·W + x; stream 2, uniform p: Uy at pixel p.
 * (At severity 1, α = 0: the fields are not drawn, the displacement is exactly 0.)
 * Per pixel: an affine bilinear tap set, then a bilinear tap set at the displaced position; the
 * displacement field needs a separable blur of two per-pixel uniform fields first.
 */
import { paramsFor } from './params.js';
import { affineFromPoints, warpAffinePlane, type Point } from './primitives/affine-warp.js';
import { gaussianFilter2d } from './primitives/gaussian-filter.js';
import { sampleReflectBilinear } from './primitives/map-coordinates.js';
import { bytesToUnitF32, storeUnitF32 } from './quantize.js';
import type { Draws } from './draws.js';
import type { Corruption } from './types.js';

const f32 = Math.fround;

/** The source triangle and its jittered destination (OpenCV (x, y) points, float32). */
export function elasticTriangles(height: number, width: number, jitter: number, draws: Draws): [Point[], Point[]] {
  const c0 = Math.floor(height / 2);
  const c1 = Math.floor(width / 2);
  const q = Math.floor(Math.min(height, width) / 3);
  const src: Point[] = [
    [c0 + q, c1 + q],
    [c0 + q, c1 - q],
    [c0 - q, c1 - q],
  ];
  const dst = src.map(
    (pt, i): Point => [
      f32(pt[0] + f32(draws.uniformIn(0, 2 * i, -jitter, jitter))),
      f32(pt[1] + f32(draws.uniformIn(0, 2 * i + 1, -jitter, jitter))),
    ],
  );
  return [src, dst];
}

/** α·gaussian(U(−1, 1) field of `stream`, s), stored as float32. */
function displacementField(draws: Draws, stream: number, height: number, width: number, alpha: number, sigma: number): Float64Array {
  const hw = height * width;
  const field = new Float64Array(hw);
  if (alpha === 0) return field;
  for (let p = 0; p < hw; p++) field[p] = draws.uniformIn(stream, p, -1, 1);
  const smooth = gaussianFilter2d(field, height, width, sigma, 'reflect', 3);
  for (let p = 0; p < hw; p++) field[p] = f32(smooth[p]! * alpha);
  return field;
}

export const elasticTransform: Corruption = {
  name: 'elastic_transform',
  apply(image, draws, severity) {
    const { alpha, sigma, affine } = paramsFor('elastic_transform', severity);
    const { height, width } = image;
    const hw = height * width;
    const x = bytesToUnitF32(image.data);
    const [src, dst] = elasticTriangles(height, width, affine, draws);
    const m = affineFromPoints(src, dst);
    const dx = displacementField(draws, 1, height, width, alpha, sigma);
    const dy = displacementField(draws, 2, height, width, alpha, sigma);
    const out = new Uint8Array(x.length);
    for (let c = 0; c < 3; c++) {
      const warped = warpAffinePlane(x.subarray(c * hw, (c + 1) * hw), height, width, m);
      for (let yy = 0; yy < height; yy++) {
        for (let xx = 0; xx < width; xx++) {
          const p = yy * width + xx;
          const v = f32(sampleReflectBilinear(warped, height, width, yy + dy[p]!, xx + dx[p]!));
          out[c * hw + p] = storeUnitF32(v);
        }
      }
    }
    return out;
  },
};
