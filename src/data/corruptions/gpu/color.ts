/**
 * GPU ports of brightness, saturate, contrast and frost (kernels in shaders/corruptions_color.wgsl).
 * brightness/saturate: the channels that get skimage's v and p come from float64 tables built with
 * the CPU reference's own HSV functions; the middle channel is f32 and flagged near a storage
 * boundary, tied pixels are flagged whole (resolved by the CPU). contrast: exact integer channel
 * sums, f32 blend (the exact rational results lie ≥ 1/(20·H·W) from a boundary unless integral).
 * frost: sheets and a float64 blend table on the device, exact.
 */
import { launch } from '../../../gpu/kernel.js';
import { UniformWriter } from '../../../gpu/uniforms.js';
import { Draws } from '../draws.js';
import { FROST_SHEET_SPECS, frostSheet } from '../frost-sheets.js';
import { paramsFor } from '../params.js';
import { hsvToRgb, rgbToHsv } from '../primitives/hsv.js';
import { store255, storeUnit } from '../quantize.js';
import type { Severity } from '../types.js';
import { constantBuffer, packBytes } from './constants.js';
import type { GpuCorruption, GpuJob, GpuJobInfo } from './types.js';
import { corruptionKernel } from './wgsl.js';

const EPS = 1e-3;

type HsvName = 'brightness' | 'saturate';

const hsvScratch = new Float64Array(3);
const rgbScratch = new Float64Array(3);

/** The CPU reference's HSV edit of one pixel (bytes), all three stored bytes (brightness.ts mapHsv). */
export function hsvPixelCPU(name: HsvName, severity: Severity, r: number, g: number, b: number): [number, number, number] {
  const hsv = rgbToHsv(r / 255, g / 255, b / 255, hsvScratch);
  if (name === 'brightness') {
    const v = hsv[2]! + paramsFor('brightness', severity).shift;
    hsv[2] = v < 0 ? 0 : v > 1 ? 1 : v;
  } else {
    const { scale, shift } = paramsFor('saturate', severity);
    const s = hsv[1]! * scale + shift;
    hsv[1] = s < 0 ? 0 : s > 1 ? 1 : s;
  }
  const rgb = hsvToRgb(hsv[0]!, hsv[1]!, hsv[2]!, rgbScratch);
  return [storeUnit(rgb[0]!), storeUnit(rgb[1]!), storeUnit(rgb[2]!)];
}

/**
 * table[V] = stored v and bytes table[256 + …] = stored p for (max V, min m), from the pixel
 * (V, m, m): hue 0, sextant 0, output (v, t, p) — the same float64 operations as any pixel with
 * that max and min.
 */
export function hsvTable(name: HsvName, severity: Severity): Uint32Array {
  const words = new Uint32Array(256 + 65536 / 4);
  const p = new Uint8Array(65536);
  for (let v = 0; v < 256; v++) {
    for (let m = 0; m <= v; m++) {
      const [r, , b] = hsvPixelCPU(name, severity, v, m, m);
      if (m === 0) words[v] = r;
      p[v * 256 + m] = b;
    }
  }
  words.set(packBytes(p), 256);
  return words;
}

function hsvGPU(name: HsvName): GpuCorruption {
  return {
    name,
    enqueue(job) {
      const pixels = job.batch * job.height * job.width;
      const [scale, shift] =
        name === 'brightness' ? [1, paramsFor('brightness', job.severity).shift] : [paramsFor('saturate', job.severity).scale, paramsFor('saturate', job.severity).shift];
      launch(corruptionKernel('color', 'hsv', job.op), {
        bindings: [
          job.src.binding(job.op),
          job.dst.binding(job.op),
          constantBuffer(`${name}/${job.severity}`, () => hsvTable(name, job.severity)),
          job.status.binding(job.op),
        ],
        uniforms: new UniformWriter()
          .u32(pixels)
          .u32(job.height * job.width)
          .u32(job.capacity)
          .u32(name === 'saturate' ? 1 : 0)
          .f32(shift)
          .f32(scale)
          .f32(EPS),
        workgroups: Math.ceil(pixels / 64),
      });
    },
    resolve(job: GpuJobInfo, _b, e, payload) {
      const channel = Math.floor(e / (job.height * job.width));
      return hsvPixelCPU(name, job.severity, payload & 255, (payload >>> 8) & 255, (payload >>> 16) & 255)[channel]!;
    },
  };
}

export const brightnessGPU = hsvGPU('brightness');
export const saturateGPU = hsvGPU('saturate');

export const contrastGPU: GpuCorruption = {
  name: 'contrast',
  enqueue(job) {
    const planes = 3 * job.batch;
    launch(corruptionKernel('color', 'contrast', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.status.binding(job.op)],
      uniforms: new UniformWriter().u32(planes).u32(job.height * job.width).u32(job.capacity).f32(paramsFor('contrast', job.severity).factor).f32(1e-4),
      workgroups: planes,
    });
  },
  resolveNeedsInput: true,
  resolve(job, b, e, u, { input, cache }) {
    // contrast.ts: μ is numpy's running float64 sum of u/255 over the channel, divided by H·W
    const hw = job.height * job.width;
    const c = Math.floor(e / hw);
    const id = `${b}/${c}`;
    let mean = cache.get(id);
    if (mean === undefined) {
      let sum = 0;
      const base = (3 * b + c) * hw;
      for (let q = 0; q < hw; q++) sum += input![base + q]! / 255;
      mean = sum / hw;
      cache.set(id, mean);
    }
    return storeUnit((u / 255 - mean) * paramsFor('contrast', job.severity).factor + mean);
  },
  unsupported(height, width) {
    // the channel sum is an exact u32 and its mean an f32 with error below the gap to a boundary
    return height * width > 65536 ? `contrast runs on the GPU for up to 65536 pixels per image, got ${height}×${width}` : null;
  },
};

/** All five frost sheets as packed bytes, and each sheet's byte offset. */
function frostSheets(): { words: Uint32Array; offsets: number[] } {
  const sheets = FROST_SHEET_SPECS.map((_, i) => frostSheet(i).data);
  const offsets: number[] = [];
  let total = 0;
  for (const s of sheets) {
    offsets.push(total);
    total += s.length;
  }
  const bytes = new Uint8Array(total);
  sheets.forEach((s, i) => bytes.set(s, offsets[i]!));
  return { words: packBytes(bytes), offsets };
}

let sheetTable: { words: Uint32Array; offsets: number[] } | null = null;

/** blend[u·256 + F] = floor(clip(a·u + b·F, 0, 255)), the CPU's float64 expression. */
function frostBlendTable(severity: Severity): Uint32Array {
  const { imageWeight, frostWeight } = paramsFor('frost', severity);
  const bytes = new Uint8Array(65536);
  for (let u = 0; u < 256; u++) for (let f = 0; f < 256; f++) bytes[u * 256 + f] = store255(imageWeight * u + frostWeight * f);
  return packBytes(bytes);
}

export const frostGPU: GpuCorruption = {
  name: 'frost',
  enqueue(job: GpuJob) {
    sheetTable ??= frostSheets();
    const { offsets } = sheetTable;
    const crops = new Uint32Array(5 * job.batch);
    job.keys.forEach((key, b) => {
      const draws = new Draws(key);
      const index = draws.intBelow(0, 0, FROST_SHEET_SPECS.length);
      const spec = FROST_SHEET_SPECS[index]!;
      const r0 = draws.intBelow(0, 1, spec.height - job.height);
      const c0 = draws.intBelow(0, 2, spec.width - job.width);
      crops.set([offsets[index]!, spec.height * spec.width, spec.width, r0, c0], 5 * b);
    });
    const n = job.batch * 3 * job.height * job.width;
    launch(corruptionKernel('color', 'frost', job.op), {
      bindings: [
        job.src.binding(job.op),
        job.dst.binding(job.op),
        job.upload(crops).binding(job.op),
        constantBuffer('frost/sheets', () => sheetTable!.words),
        constantBuffer(`frost/${job.severity}`, () => frostBlendTable(job.severity)),
      ],
      uniforms: new UniformWriter().u32(n).u32(3 * job.height * job.width).u32(job.height * job.width).u32(job.width),
      workgroups: Math.ceil(n / 64),
    });
  },
};
