// Batched matrix product C[b] = act(opA(A[b]) · opB(B[b]) + bias), tiled for a workgroup of
// WG_X × WG_Y invocations: each invocation accumulates an RM × 4 block of C in registers (one
// vec4 per row), and the workgroup stages K-tiles of A and B in workgroup memory.
//
// Template slots: {{WG_X}} {{WG_Y}} {{RM}} (rows per invocation) {{TILE_K}}; {{A_INDEX}} and
// {{B_INDEX}} give the element offsets of A(m, k) and B(k, n) within one batch (they encode the
// transposes); {{BINDINGS}} declares the optional bias, `out` and the uniform `p`; {{BIAS}}
// adds the bias to `v` (or nothing); {{ACT}} the
// activation applied to `v`.
// Tile: TILE_M = WG_Y·RM rows, TILE_N = WG_X·4 columns.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch_stride_a: u32,
  batch_stride_b: u32,
  row_tiles: u32,
  batches: u32,
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

fn load_a(base: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  return a[base + {{A_INDEX}}];
}

fn load_b(base: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  return b[base + {{B_INDEX}}];
}

fn activation(v: f32) -> f32 {
  return {{ACT}};
}

// Grid: x = column tiles; (row tile, batch) pairs are folded over y and z, so neither exceeds the
// per-dimension workgroup limit.
@compute @workgroup_size({{WG_X}}, {{WG_Y}}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lindex: u32) {
  let pair = wid.y + wid.z * nwg.y;
  if (pair >= p.row_tiles * p.batches) { return; }
  let batch = pair / p.row_tiles;
  let base_a = batch * p.batch_stride_a;
  let base_b = batch * p.batch_stride_b;
  let row0 = (pair % p.row_tiles) * TILE_M;
  let col0 = wid.x * TILE_N;

  var acc: array<vec4<f32>, {{RM}}>;
  for (var r = 0u; r < RM; r++) { acc[r] = vec4<f32>(0.0); }

  for (var k0 = 0u; k0 < p.K; k0 += TILE_K) {
    // Stage A's TILE_M × TILE_K block (transposed, k-major) and B's TILE_K × TILE_N block.
    for (var i = lindex; i < TILE_M * TILE_K; i += THREADS) {
      let m = i / TILE_K;
      let k = i % TILE_K;
      tile_a[k][m] = load_a(base_a, row0 + m, k0 + k);
    }
    for (var i = lindex; i < TILE_K * WG_X; i += THREADS) {
      let k = i / WG_X;
      let n4 = i % WG_X;
      let n = col0 + n4 * 4u;
      tile_b[k][n4] = vec4<f32>(load_b(base_b, k0 + k, n), load_b(base_b, k0 + k, n + 1u),
                                load_b(base_b, k0 + k, n + 2u), load_b(base_b, k0 + k, n + 3u));
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

  let base_c = batch * p.M * p.N;
  for (var r = 0u; r < RM; r++) {
    let m = row0 + lid.y * RM + r;
    if (m >= p.M) { continue; }
    for (var c = 0u; c < 4u; c++) {
      let n = col0 + lid.x * 4u + c;
      if (n < p.N) {
        var v = acc[r][c];
        {{BIAS}}
        out[base_c + m * p.N + n] = activation(v);
      }
    }
  }
}
