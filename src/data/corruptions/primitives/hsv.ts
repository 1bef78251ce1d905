/**
 * P6 (spec §2): skimage `rgb2hsv` / `hsv2rgb` for one float64 pixel, in skimage's order of
 * operations (so brightness and saturate land on the same side of every floor() as the reference).
 *
 * rgb→hsv: V = max, Δ = max − min, S = Δ/V (0 when Δ = 0); hue assigned for red-max, then
 * green-max, then blue-max (later wins ties): (G−B)/Δ, 2 + (B−R)/Δ, 4 + (R−G)/Δ; H = (h/6) mod 1,
 * 0 when Δ = 0.
 * hsv→rgb: i = floor(6H) mod 6, f = 6H − floor(6H), p = V(1−S), q = V(1−fS), t = V(1−(1−f)S);
 * (R,G,B) = (V,t,p), (q,V,p), (p,V,t), (p,q,V), (t,p,V), (V,p,q).
 */

/** Python's float `%` for a positive modulus (result has the sign of the modulus). */
function pyMod(a: number, m: number): number {
  const r = a % m;
  return r !== 0 && r < 0 ? r + m : r;
}

export function rgbToHsv(r: number, g: number, b: number, out: Float64Array): Float64Array {
  const v = Math.max(r, g, b);
  const delta = v - Math.min(r, g, b);
  let s = delta / v;
  if (delta === 0) s = 0;
  let h = 0;
  if (r === v) h = (g - b) / delta;
  if (g === v) h = 2 + (b - r) / delta;
  if (b === v) h = 4 + (r - g) / delta;
  h = pyMod(h / 6, 1);
  if (delta === 0) h = 0;
  out[0] = Number.isNaN(h) ? 0 : h;
  out[1] = Number.isNaN(s) ? 0 : s;
  out[2] = Number.isNaN(v) ? 0 : v;
  return out;
}

export function hsvToRgb(h: number, s: number, v: number, out: Float64Array): Float64Array {
  const hi = Math.floor(h * 6);
  const f = h * 6 - hi;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  // skimage: hi.astype(np.uint8) % 6 (hi ≥ 0 here)
  switch (pyMod(hi, 6)) {
    case 0:
      out[0] = v; out[1] = t; out[2] = p;
      break;
    case 1:
      out[0] = q; out[1] = v; out[2] = p;
      break;
    case 2:
      out[0] = p; out[1] = v; out[2] = t;
      break;
    case 3:
      out[0] = p; out[1] = q; out[2] = v;
      break;
    case 4:
      out[0] = t; out[1] = p; out[2] = v;
      break;
    default:
      out[0] = v; out[1] = p; out[2] = q;
  }
  return out;
}
