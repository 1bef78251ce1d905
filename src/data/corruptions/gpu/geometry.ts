/**
 * GPU ports of pixelate (exact: Pillow's fixed-point BOX passes in u32) and elastic_transform
 * (OpenCV's fixed-point affine warp from per-image tables, then map_coordinates through the
 * smoothed displacement fields drawn with the CPU's draws); kernels in
 * shaders/corruptions_geometry.wgsl.
 */
import { launch } from '../../../gpu/kernel.js';
import { UniformWriter } from '../../../gpu/uniforms.js';
import { Draws } from '../draws.js';
import { elasticTriangles } from '../elastic-transform.js';
import { paramsFor } from '../params.js';
import { pixelate, pixelateSize } from '../pixelate.js';
import { affineFromPoints, invertAffine } from '../primitives/affine-warp.js';
import { boxAxisCoefficients } from '../primitives/box-resize.js';
import { gaussianKernel1d } from '../primitives/gaussian-filter.js';
import { roundHalfEven } from '../primitives/round.js';
import { unitTableBinding } from './constants.js';
import type { GpuCorruption } from './types.js';
import { WordWriter } from './words.js';
import { corruptionKernel } from './wgsl.js';

/** Appends one pass's coefficients ([start, length, K…] per output, padded to maxLength); returns [offset, maxLength]. */
function appendPass(w: WordWriter, inSize: number, outSize: number): [number, number] {
  const c = boxAxisCoefficients(inSize, outSize);
  const at = w.length;
  for (let j = 0; j < outSize; j++) {
    w.u32(c.start[j]!).u32(c.length[j]!);
    for (let i = 0; i < c.maxLength; i++) w.u32(c.coefficients[j * c.maxLength + i]!);
  }
  return [at, c.maxLength];
}

export const pixelateGPU: GpuCorruption = {
  name: 'pixelate',
  enqueue(job) {
    const { height: H, width: W } = job;
    const h = pixelateSize(H, job.severity);
    const w = pixelateSize(W, job.severity);
    const words = new WordWriter();
    const passes = [appendPass(words, W, w), appendPass(words, H, h), appendPass(words, w, W), appendPass(words, h, H)];
    const n = job.batch * 3 * H * W;
    const uniforms = new UniformWriter().u32(n).u32(H * W).u32(W).u32(w);
    for (const [at, len] of passes) uniforms.u32(at).u32(len);
    launch(corruptionKernel('geometry', 'pixelate', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.upload(words.finish()).binding(job.op)],
      uniforms,
      workgroups: Math.ceil(n / 64),
    });
  },
  unsupported: (height, width) => pixelate.unsupportedSize!(height, width),
};

export const elasticTransformGPU: GpuCorruption = {
  name: 'elastic_transform',
  enqueue(job) {
    const { alpha, sigma, affine } = paramsFor('elastic_transform', job.severity);
    const { batch, height: H, width: W } = job;
    const hw = H * W;
    // per image: OpenCV's fixed-point source coordinates (affine-warp.ts warpAffinePlane)
    const stride = 2 * H + 2 * W;
    const tables = new WordWriter();
    for (const key of job.keys) {
      const [src, dst] = elasticTriangles(H, W, affine, new Draws(key));
      const inv = invertAffine(affineFromPoints(src, dst));
      for (let y = 0; y < H; y++) tables.i32v(roundHalfEven((inv[1]! * y + inv[2]!) * 1024) + 16);
      for (let y = 0; y < H; y++) tables.i32v(roundHalfEven((inv[4]! * y + inv[5]!) * 1024) + 16);
      for (let x = 0; x < W; x++) tables.i32v(roundHalfEven(inv[0]! * x * 1024));
      for (let x = 0; x < W; x++) tables.i32v(roundHalfEven(inv[3]! * x * 1024));
    }
    const fieldSize = batch * 2 * hw;
    const disp = job.scratch(fieldSize);
    const useField = alpha !== 0;
    if (useField) {
      const full = sigma <= 1e-15 ? Float64Array.of(1) : gaussianKernel1d(sigma, 3);
      const radius = (full.length - 1) / 2;
      const weights = job.upload(new Uint32Array(Float32Array.from(full.subarray(radius)).buffer));
      const tmp = job.scratch(fieldSize);
      launch(corruptionKernel('geometry', 'elastic_field', job.op), {
        bindings: [job.keyWords.binding(job.op), weights.binding(job.op), tmp.binding(job.op)],
        uniforms: new UniformWriter().u32(fieldSize).u32(hw).u32(H).u32(W).u32(radius),
        workgroups: Math.ceil(fieldSize / 64),
      });
      launch(corruptionKernel('geometry', 'elastic_smooth', job.op), {
        bindings: [weights.binding(job.op), tmp.binding(job.op), disp.binding(job.op)],
        uniforms: new UniformWriter().u32(fieldSize).u32(hw).u32(W).u32(radius).f32(alpha),
        workgroups: Math.ceil(fieldSize / 64),
      });
    }
    const n = batch * 3 * hw;
    launch(corruptionKernel('geometry', 'elastic_warp', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), disp.binding(job.op), job.upload(tables.finish()).binding(job.op), unitTableBinding()],
      uniforms: new UniformWriter()
        .u32(n)
        .u32(hw)
        .u32(H)
        .u32(W)
        .u32(3 * hw)
        .u32(useField ? 1 : 0)
        .u32(stride),
      workgroups: Math.ceil(n / 64),
    });
  },
};
