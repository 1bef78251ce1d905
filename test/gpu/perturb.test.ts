// The reference MNIST perturbations (ps.data.perturb): linf — x̃ = clamp(x + U(−ε, ε), 0, 1), so
// within ε of x, inside [0, 1], uniform noise where no clamping happens; rts — rotation/scaling
// about the centre with nearest resampling and zero fill, then an integer shift in [−pad, pad]:
// shapes kept, same key ⇒ same images, a pure integer shift when angle = 0 and scale = 1, and the
// full transform against a float64 CPU twin of the per-image parameters and the inverse map.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { philox4x32, wordsToUnit53 } from '../../src/random/philox.js';
import { readAll, thrown } from './helpers/check.js';
import { Rng } from './helpers/rng.js';
import { ksPValue, ksStatistic } from './helpers/stats.js';

beforeAll(async () => {
  await ps.init();
});

describe('perturb.linf', () => {
  it('stays within ε of x and inside [0, 1]; the noise is U(−ε, ε) where nothing is clamped; keyed', async () => {
    const rng = new Rng(1);
    const B = 16;
    const n = B * 28 * 28;
    // Half the pixels saturated (0 or 1, as in MNIST), half in between.
    const xv = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : i % 4 === 1 ? 1 : Math.fround(rng.uniform())));
    const x = ps.tensor(xv, [B, 1, 28, 28]);
    const eps = 0.3;
    const a = ps.data.perturb.linf(ps.random.key(5), x, { epsilon: eps });
    const b = ps.data.perturb.linf(ps.random.key(5), x, { epsilon: eps });
    const c = ps.data.perturb.linf(ps.random.key(6), x, { epsilon: eps });
    const wide = ps.data.perturb.linf(ps.random.key(5), x, { epsilon: eps, min: -1, max: 2 });
    expect(a.shape).toEqual([B, 1, 28, 28]);
    const [av, bv, cv, wv] = await readAll([a, b, c, wide]);
    for (const t of [x, a, b, c, wide]) t.dispose();
    expect(Array.from(bv!)).toEqual(Array.from(av!));
    expect(Array.from(cv!)).not.toEqual(Array.from(av!));
    const free: number[] = [];
    let outside = 0;
    let far = 0;
    for (let i = 0; i < n; i++) {
      const v = av![i]!;
      if (!(v >= 0 && v <= 1)) outside++;
      if (!(Math.abs(v - xv[i]!) <= eps + 1e-6)) far++;
      // With [min, max] = [−1, 2] nothing clamps: the noise itself.
      free.push(wv![i]! - xv[i]!);
    }
    expect([outside, far]).toEqual([0, 0]);
    // Pixels at 0 end at 0 about half the time (noise < 0 clamps).
    const zeros = Array.from({ length: n / 4 }, (_, k) => av![4 * k]!).filter((v) => v === 0).length;
    expect(Math.abs(zeros - n / 8)).toBeLessThan(5 * Math.sqrt(n / 16));
    const p = ksPValue(ksStatistic(free, (u) => Math.min(1, Math.max(0, (u + eps) / (2 * eps)))), n);
    expect(p).toBeGreaterThan(1e-4);
  });

  it('bad inputs are errors', () => {
    const x = ps.zeros([2, 1, 4, 4]);
    expect(thrown(() => ps.data.perturb.linf(ps.random.key(1), x, { epsilon: 0 })).message).toMatch(/^perturb\.linf: epsilon must be a positive finite number, got 0/);
    expect(thrown(() => ps.data.perturb.linf(ps.random.key(1), x, { epsilon: 0.1, min: 1, max: 0 })).message).toMatch(/min 1 must be below max 0/);
    expect(thrown(() => ps.data.perturb.linf(ps.random.key(1), ps.zeros([4, 4]), { epsilon: 0.1 })).message).toMatch(/x must be float32 images \[B, C, H, W\], got float32 \[4,\s?4\]/);
    expect(thrown(() => ps.data.perturb.linf(3 as never, x, { epsilon: 0.1 })).message).toMatch(/expected a random key/);
    x.dispose();
  });
});

/** The per-image parameters rts draws: θ (radians), s, and the crop offsets (oy, ox) ∈ [0, 2·pad]. */
function rtsParams(key: ps.random.Key, b: number, angle: number, scale: [number, number], pad: number) {
  const k = ps.random.foldIn(key, b);
  const w = philox4x32(0, 0, 0, 0, k.k0, k.k1);
  const theta = ((2 * wordsToUnit53(w[0]!, w[1]!) - 1) * angle * Math.PI) / 180;
  const s = scale[0] + (scale[1] - scale[0]) * wordsToUnit53(w[2]!, w[3]!);
  const w2 = philox4x32(1, 0, 0, 0, k.k0, k.k1);
  return { theta, s, oy: Math.floor(wordsToUnit53(w2[0]!, w2[1]!) * (2 * pad + 1)), ox: Math.floor(wordsToUnit53(w2[2]!, w2[3]!) * (2 * pad + 1)) };
}

describe('perturb.rts', () => {
  it('angle 0, scale 1: each image is an integer shift in [−pad, pad] with zero fill; keyed', async () => {
    const B = 40;
    const H = 6;
    const W = 7;
    const pad = 2;
    const xv = Float32Array.from({ length: B * H * W }, (_, i) => 1 + (i % (H * W)));
    const x = ps.tensor(xv, [B, 1, H, W]);
    const opts = { angle: 0, scale: [1, 1] as [number, number], padding: pad };
    const a = ps.data.perturb.rts(ps.random.key(3), x, opts);
    const again = ps.data.perturb.rts(ps.random.key(3), x, opts);
    expect(a.shape).toEqual([B, 1, H, W]);
    const [av, agv] = await readAll([a, again]);
    for (const t of [x, a, again]) t.dispose();
    expect(Array.from(agv!)).toEqual(Array.from(av!));
    const shifts = new Set<string>();
    for (let b = 0; b < B; b++) {
      const img = av!.subarray(b * H * W, (b + 1) * H * W);
      // Pixel values encode their source position: find the shift from any non-zero pixel.
      let found: [number, number] | null = null;
      for (let i = 0; i < H * W && !found; i++) if (img[i]! > 0) found = [Math.floor(i / W) - Math.floor((img[i]! - 1) / W), (i % W) - ((img[i]! - 1) % W)];
      expect(found).not.toBeNull();
      const [dy, dx] = found!;
      expect(Math.abs(dy)).toBeLessThanOrEqual(pad);
      expect(Math.abs(dx)).toBeLessThanOrEqual(pad);
      const p = rtsParams(ps.random.key(3), b, 0, [1, 1], pad);
      expect([dy, dx]).toEqual([pad - p.oy, pad - p.ox]);
      shifts.add(`${dy},${dx}`);
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          const sr = r - dy;
          const sc = c - dx;
          const want = sr >= 0 && sr < H && sc >= 0 && sc < W ? 1 + sr * W + sc : 0;
          expect(img[r * W + c]).toBe(want);
        }
      }
    }
    // 40 draws over 25 possible shifts: many distinct ones.
    expect(shifts.size).toBeGreaterThan(12);
  });

  it('rotation and scaling match a float64 CPU twin (nearest resampling about the centre, zero fill)', async () => {
    const B = 12;
    const C = 2;
    const H = 9;
    const W = 9;
    const pad = 1;
    const angle = 45;
    const scale: [number, number] = [0.7, 1.3];
    const xv = Float32Array.from({ length: B * C * H * W }, (_, i) => 1 + (i % 97));
    const x = ps.tensor(xv, [B, C, H, W]);
    const out = ps.data.perturb.rts(ps.random.key(9), x, { angle, scale, padding: pad });
    const [ov] = await readAll([out]);
    x.dispose();
    out.dispose();
    let mismatches = 0;
    let ties = 0;
    let zeros = 0;
    for (let b = 0; b < B; b++) {
      const { theta, s, oy, ox } = rtsParams(ps.random.key(9), b, angle, scale, pad);
      expect(Math.abs(theta)).toBeLessThanOrEqual((angle * Math.PI) / 180);
      expect(s >= 0.7 && s <= 1.3).toBe(true);
      const cy = (H - 1) / 2;
      const cx = (W - 1) / 2;
      for (let c = 0; c < C; c++) {
        for (let r = 0; r < H; r++) {
          for (let q = 0; q < W; q++) {
            const dy = r + oy - pad - cy;
            const dx = q + ox - pad - cx;
            const sx = (Math.cos(theta) * dx + Math.sin(theta) * dy) / s + cx;
            const sy = (-Math.sin(theta) * dx + Math.cos(theta) * dy) / s + cy;
            // float32 on the GPU may round the other way within ~1e-5 of a half-integer.
            const nearTie = Math.abs((sx % 1 + 1) % 1 - 0.5) < 1e-4 || Math.abs((sy % 1 + 1) % 1 - 0.5) < 1e-4;
            const ix = Math.round(sx);
            const iy = Math.round(sy);
            const want = ix >= 0 && iy >= 0 && ix < W && iy < H ? xv[((b * C + c) * H + iy) * W + ix]! : 0;
            const got = ov![((b * C + c) * H + r) * W + q]!;
            if (got === 0) zeros++;
            if (got !== want) {
              if (nearTie) ties++;
              else mismatches++;
            }
          }
        }
      }
    }
    expect(mismatches).toBe(0);
    expect(ties).toBeLessThan(10);
    // Rotations by up to 45° and shifts leave zero-filled corners.
    expect(zeros).toBeGreaterThan(0);
  });

  it('bad options are errors', () => {
    const x = ps.zeros([1, 1, 8, 8]);
    const k = ps.random.key(1);
    expect(thrown(() => ps.data.perturb.rts(k, x, { angle: 200 })).message).toMatch(/^perturb\.rts: angle must be in \[0, 180\] degrees, got 200/);
    expect(thrown(() => ps.data.perturb.rts(k, x, { scale: [1.3, 0.7] })).message).toMatch(/scale must be \[lo, hi\] with 0 < lo ≤ hi, got \[1.3, 0.7\]/);
    expect(thrown(() => ps.data.perturb.rts(k, x, { padding: 1.5 })).message).toMatch(/padding must be a non-negative integer, got 1.5/);
    expect(thrown(() => ps.data.perturb.rts(k, ps.zeros([8, 8]))).message).toMatch(/x must be float32 images/);
    x.dispose();
  });
});
