// Convolutions as implicit GEMM (no im2col buffer): a batched product C[z] = A[z] · B[z] whose
// operands are gathered from NCHW tensors on the fly. The three uses (src/ops/conv-kernel.ts):
//   forward  C_n[oc, pixel]    = W[oc, (ic,kh,kw)]      · X̂_n[(ic,kh,kw), pixel]   z = image
//   dgrad    dX_n[ic, pixel]   = W̃[ic, (oc,kh,kw)]      · dŶ_n[(oc,kh,kw), pixel]  z = image
//            (the input gradient as a transposed convolution)
//   wgrad    dW_s[oc, (ic,kh,kw)] = dY[oc, (n,pixel)]    · X̂[(n,pixel), (ic,kh,kw)] z = K-split
//            (the weight gradient as a convolution over the batch; split over K for parallelism,
//            the partial products are summed afterwards)
// Tiling as in matmul.wgsl: a WG_X × WG_Y workgroup computes a (WG_Y·RM) × (WG_X·4) tile of C,
// staging TILE_K-deep slices of A and B in workgroup memory.
//
// Template slots: {{WG_X}} {{WG_Y}} {{RM}} {{TILE_K}}; {{LOAD_A}}, {{LOAD_B}} bodies of the
// operand gathers (they may assume m < M, k in range, n < N); {{STORE}} the body of the store
// of `v` at (z, m, n); {{BINDINGS}} the bindings after `a` and `b`.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  k_chunk: u32,
  // 1 when z indexes slices of K (wgrad's split reduction), 0 when it indexes images.
  split_k: u32,
  batches: u32,
  row_tiles: u32,
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
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
{{BINDINGS}}

const WG_X: u32 = {{WG_X}}u;
const WG_Y: u32 = {{WG_Y}}u;
const RM: u32 = {{RM}}u;
const TILE_K: u32 = {{TILE_K}}u;
const TILE_M: u32 = WG_Y * RM;
const TILE_N: u32 = WG_X * 4u;
const THREADS: u32 = WG_X * WG_Y;

var<workgroup> tile_a: array<array<f32, TILE_M>, TILE_K>;
var<workgroup> tile_b: array<array<vec4<f32>, WG_X>, TILE_K>;

fn gather_a(z: u32, m: u32, k: u32) -> f32 {
  {{LOAD_A}}
}

fn gather_b(z: u32, k: u32, n: u32) -> f32 {
  {{LOAD_B}}
}

fn store(z: u32, m: u32, n: u32, v: f32) {
  {{STORE}}
}

fn load_a(z: u32, m: u32, k: u32, k_end: u32) -> f32 {
  if (m >= p.M || k >= k_end) { return 0.0; }
  return gather_a(z, m, k);
}

fn load_b(z: u32, k: u32, n: u32, k_end: u32) -> f32 {
  if (n >= p.N || k >= k_end) { return 0.0; }
  return gather_b(z, k, n);
}

@compute @workgroup_size({{WG_X}}, {{WG_Y}}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lindex: u32) {
  let pair = wid.y + wid.z * nwg.y;
  if (pair >= p.row_tiles * p.batches) { return; }
  let z = pair / p.row_tiles;
  let row0 = (pair % p.row_tiles) * TILE_M;
  let col0 = wid.x * TILE_N;
  let k_begin = select(0u, z * p.k_chunk, p.split_k == 1u);
  let k_end = min(p.K, k_begin + p.k_chunk);

  var acc: array<vec4<f32>, {{RM}}>;
  for (var r = 0u; r < RM; r++) { acc[r] = vec4<f32>(0.0); }

  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    for (var i = lindex; i < TILE_M * TILE_K; i += THREADS) {
      let m = i / TILE_K;
      let k = i % TILE_K;
      tile_a[k][m] = load_a(z, row0 + m, k0 + k, k_end);
    }
    for (var i = lindex; i < TILE_K * WG_X; i += THREADS) {
      let k = i / WG_X;
      let n = col0 + (i % WG_X) * 4u;
      tile_b[k][i % WG_X] = vec4<f32>(load_b(z, k0 + k, n, k_end), load_b(z, k0 + k, n + 1u, k_end),
                                      load_b(z, k0 + k, n + 2u, k_end), load_b(z, k0 + k, n + 3u, k_end));
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let bv = tile_b[k][lid.x];
      for (var r = 0u; r < RM; r++) {
        acc[r] = fma(vec4<f32>(tile_a[k][lid.y * RM + r]), bv, acc[r]);
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < RM; r++) {
    let m = row0 + lid.y * RM + r;
    if (m >= p.M) { continue; }
    for (var c = 0u; c < 4u; c++) {
      let n = col0 + lid.x * 4u + c;
      if (n < p.N) { store(z, m, n, acc[r][c]); }
    }
  }
}
