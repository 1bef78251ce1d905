// Convolutions as implicit GEMM, register-blocked along channels, for CPU-style adapters
// (lavapipe, SwiftShader run a workgroup's invocations as SIMD lanes): each invocation owns one
// output position (consecutive invocations → consecutive positions, so activation loads and
// stores are contiguous across lanes) and accumulates RB output channels in registers; the
// weights it multiplies by are the same in every lane. No workgroup memory, no barriers.
//
//   forward  out[n, oc, pix]  = Σ_(ic,kh,kw) w[oc, ic, kh, kw] · x[n, ic, oh·s − p + kh, ow·s − p + kw]
//   dgrad    dx[n, ic, pix]   = Σ_(oc,kh,kw) w[oc, ic, kh, kw] · dy[n, oc, (ih + p − kh)/s, …]  (divisible only)
//   wgrad    dw[oc, ic, kh, kw] = Σ_(n,pix) dy[n, oc, pix] · x[n, ic, …]  (positions: k = (ic,kh,kw);
//            the (n, pix) sum is split into chunks whose partial results are summed afterwards)
//
// Template slots: {{RB}} channels per invocation; {{BINDINGS}} the storage bindings and `p`;
// {{EPILOGUE}} the store of `acc[r]` for channel `c` at position `pos` (bias, activation).

struct Params {
  N: u32,
  C: u32,
  H: u32,
  W: u32,
  OC: u32,
  OH: u32,
  OW: u32,
  KH: u32,
  KW: u32,
  stride_h: u32,
  stride_w: u32,
  pad_h: u32,
  pad_w: u32,
  chunk: u32,
}

{{BINDINGS}}

const RB: u32 = {{RB}}u;

// @kernel forward
// Invocation → (n, oh, ow) over the whole batch; workgroup y → a block of RB output channels.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let P = p.OH * p.OW;
  let pos = wid.x * 64u + lid;
  let in_range = pos < p.N * P;
  let n = min(pos, p.N * P - 1u) / P;
  let pix = min(pos, p.N * P - 1u) % P;
  let oh = pix / p.OW;
  let ow = pix % p.OW;
  let oc0 = (wid.y + wid.z * nwg.y) * RB;
  let K = p.C * p.KH * p.KW;
  {{ACC_DECL}}
  for (var ic = 0u; ic < p.C; ic++) {
    let x_plane = (n * p.C + ic) * p.H;
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = i32(oh * p.stride_h + kh) - i32(p.pad_h);
      let row_ok = ih >= 0 && ih < i32(p.H);
      let x_row = (x_plane + u32(max(ih, 0))) * p.W;
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw = i32(ow * p.stride_w + kw) - i32(p.pad_w);
        let ok = row_ok && iw >= 0 && iw < i32(p.W);
        let xv = select(0.0, a[x_row + u32(max(iw, 0))], ok);
        let k = (ic * p.KH + kh) * p.KW + kw;
        {{ACC_FMA_FORWARD}}
      }
    }
  }
  if (!in_range) { return; }
  {{ACC_SPILL}}
  for (var r = 0u; r < RB; r++) {
    let c = oc0 + r;
    if (c < p.OC) {
      {{EPILOGUE}}
    }
  }
}

// @kernel dgrad
// Invocation → (n, ih, iw); workgroup y → a block of RB input channels.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let HW = p.H * p.W;
  let pos = wid.x * 64u + lid;
  let in_range = pos < p.N * HW;
  let n = min(pos, p.N * HW - 1u) / HW;
  let pix = min(pos, p.N * HW - 1u) % HW;
  let ih = pix / p.W;
  let iw = pix % p.W;
  let ic0 = (wid.y + wid.z * nwg.y) * RB;
  var acc: array<f32, {{RB}}>;
  for (var r = 0u; r < RB; r++) { acc[r] = 0.0; }
  for (var oc = 0u; oc < p.OC; oc++) {
    let dy_plane = (n * p.OC + oc) * p.OH;
    for (var kh = 0u; kh < p.KH; kh++) {
      let th = i32(ih + p.pad_h) - i32(kh);
      let uh = u32(max(th, 0));
      let oh = uh / p.stride_h;
      let row_ok = th >= 0 && uh % p.stride_h == 0u && oh < p.OH;
      for (var kw = 0u; kw < p.KW; kw++) {
        let tw = i32(iw + p.pad_w) - i32(kw);
        let uw = u32(max(tw, 0));
        let ow = uw / p.stride_w;
        let ok = row_ok && tw >= 0 && uw % p.stride_w == 0u && ow < p.OW;
        let g = select(0.0, a[(dy_plane + min(oh, p.OH - 1u)) * p.OW + min(ow, p.OW - 1u)], ok);
        for (var r = 0u; r < RB; r++) {
          let ic = min(ic0 + r, p.C - 1u);
          acc[r] = fma(w[((oc * p.C + ic) * p.KH + kh) * p.KW + kw], g, acc[r]);
        }
      }
    }
  }
  if (!in_range) { return; }
  for (var r = 0u; r < RB; r++) {
    let c = ic0 + r;
    if (c < p.C) {
      out[(n * p.C + c) * HW + pix] = acc[r];
    }
  }
}

// @kernel wgrad
// Invocation → weight position k = (ic, kh, kw); workgroup y → a block of RB output channels;
// workgroup z → a chunk of `chunk` (n, pix) positions. Output: partial sums [chunks, OC, K].
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let K = p.C * p.KH * p.KW;
  let P = p.OH * p.OW;
  let k = wid.x * 64u + lid;
  let in_range = k < K;
  let kk = min(k, K - 1u);
  let kw = kk % p.KW;
  let kh = (kk / p.KW) % p.KH;
  let ic = kk / (p.KW * p.KH);
  let oc0 = wid.y * RB;
  let q0 = wid.z * p.chunk;
  let q1 = min(q0 + p.chunk, p.N * P);
  var acc: array<f32, {{RB}}>;
  for (var r = 0u; r < RB; r++) { acc[r] = 0.0; }
  for (var q = q0; q < q1; q++) {
    let n = q / P;
    let pix = q % P;
    let ih = i32((pix / p.OW) * p.stride_h + kh) - i32(p.pad_h);
    let iw = i32((pix % p.OW) * p.stride_w + kw) - i32(p.pad_w);
    let ok = ih >= 0 && ih < i32(p.H) && iw >= 0 && iw < i32(p.W);
    let xv = select(0.0, a[((n * p.C + ic) * p.H + u32(max(ih, 0))) * p.W + u32(max(iw, 0))], ok);
    for (var r = 0u; r < RB; r++) {
      let oc = min(oc0 + r, p.OC - 1u);
      acc[r] = fma(w[(n * p.OC + oc) * P + pix], xv, acc[r]);
    }
  }
  if (!in_range) { return; }
  for (var r = 0u; r < RB; r++) {
    let c = oc0 + r;
    if (c < p.OC) {
      out[(wid.z * p.OC + c) * K + k] = acc[r];
    }
  }
}
