// Batched matrix product C[b] = act(opA(A[b]) · opB(B[b]) + bias), opA(A) = A or Aᵀ ([M, K]),
// opB(B) = B or Bᵀ ([K, N]). Three kernels of one family; src/ops/matmul-kernel.ts picks one per
// adapter (see `matmulConfig` there for the measurements) and fills the slots:
//
//   tiled     the textbook GPU kernel: a WG_X × WG_Y workgroup computes a (WG_Y·RM) × (WG_X·4)
//             output tile, staging TILE_K-deep slices of A and B in workgroup memory (vec4 global
//             loads when the layout allows them); each invocation accumulates RM × 4 in registers.
//             The default for real GPUs.
//   register  no workgroup memory: each invocation loads its own operands straight from the
//             storage buffers and accumulates an RM × 4·CN block; the K loop is unrolled 4 deep
//             by the generator. Fallback for CPU adapters without subgroups (Deno's wgpu).
//   subgroup  `register` with one subgroup per workgroup: the lanes split the columns, share the
//             same RM rows, load each A element once per subgroup and pass it around with
//             subgroupBroadcast. CPU adapters (lavapipe, SwiftShader) load storage memory one lane
//             at a time, so sharing A cuts their dominant cost ~2-3×.
//
// Shared slots: {{A_TYPE}} / {{B_TYPE}} (f32, or vec4<f32> when the operand is read in aligned
// vec4 units), {{A_AT}} / {{B_AT}} (element i of either kind of array), {{BINDINGS}} (optional
// bias, `out`, uniform `p`), {{ACT}} (activation of the f32 `v`), {{STORE4}} (writes 4 outputs).
// Everything else in a section is documented there. Shapes travel in `p`, never in the text.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  batch_stride_a: u32,
  batch_stride_b: u32,
  row_tiles: u32,
  batches: u32,
}

@group(0) @binding(0) var<storage, read> a: array<{{A_TYPE}}>;
@group(0) @binding(1) var<storage, read> b: array<{{B_TYPE}}>;
{{BINDINGS}}

// Element i (flat, within the whole buffer) of A and B.
fn a_at(i: u32) -> f32 {
  return {{A_AT}};
}
fn b_at(i: u32) -> f32 {
  return {{B_AT}};
}

fn activation(v: f32) -> f32 {
  return {{ACT}};
}

// Bias, activation and bounds for the outputs (m, n..n+3) of the matrix starting at base_c.
fn store4(base_c: u32, m: u32, n: u32, acc: vec4<f32>) {
  if (m >= p.M) { return; }
  {{STORE4}}
}

// @kernel tiled
// Slots (named here without their braces, which the template step would fill): WG_X, WG_Y
// (invocations), RM (rows per invocation, a multiple of 4), TILE_K, and STAGE_A / STAGE_B: loops
// that fill tile_a / tile_b for the K slice at k0 with zeros outside the matrices (vec4 loads when
// the layout allows).
const WG_X: u32 = {{WG_X}}u;
const RM: u32 = {{RM}}u;
const TILE_K: u32 = {{TILE_K}}u;
const TILE_M: u32 = {{WG_Y}}u * RM;
const TILE_N: u32 = WG_X * 4u;
const THREADS: u32 = WG_X * {{WG_Y}}u;

// k-major tiles of 4-element vectors: tile_a[k][m / 4][m % 4] and tile_b[k][n / 4][n % 4], so the
// inner loop reads 4 rows of A and 4 columns of B with one load each.
var<workgroup> tile_a: array<array<vec4<f32>, TILE_M / 4u>, TILE_K>;
var<workgroup> tile_b: array<array<vec4<f32>, WG_X>, TILE_K>;

// Grid: x = column tiles; (row tile, batch) pairs are folded over y and z.
@compute @workgroup_size({{WG_X}}, {{WG_Y}}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) lindex: u32) {
  let pair = wid.y + wid.z * nwg.y;
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (pair >= p.row_tiles * p.batches) { return; }
  let batch = pair / p.row_tiles;
  let base_a = batch * p.batch_stride_a;
  let base_b = batch * p.batch_stride_b;
  let row0 = (pair % p.row_tiles) * TILE_M;
  let col0 = wid.x * TILE_N;
  let M = p.M;
  let N = p.N;
  let K = p.K;

  var acc: array<vec4<f32>, RM>;
  for (var r = 0u; r < RM; r++) { acc[r] = vec4<f32>(0.0); }

  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
{{STAGE_A}}
{{STAGE_B}}
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let bv = tile_b[k][lid.x];
      for (var q = 0u; q < RM / 4u; q++) {
        let av = tile_a[k][lid.y * (RM / 4u) + q];
        acc[4u * q] = fma(vec4<f32>(av.x), bv, acc[4u * q]);
        acc[4u * q + 1u] = fma(vec4<f32>(av.y), bv, acc[4u * q + 1u]);
        acc[4u * q + 2u] = fma(vec4<f32>(av.z), bv, acc[4u * q + 2u]);
        acc[4u * q + 3u] = fma(vec4<f32>(av.w), bv, acc[4u * q + 3u]);
      }
    }
    workgroupBarrier();
  }

  let base_c = batch * M * N;
  for (var r = 0u; r < RM; r++) {
    store4(base_c, row0 + lid.y * RM + r, col0 + lid.x * 4u, acc[r]);
  }
}

// @kernel register
// Used by `register` and `subgroup`. Slots (without braces): WG_X, WG_Y, BUILTINS (the subgroup
// lane for `subgroup`), TILE_M, TILE_N (output tile of a workgroup), ROW, COL (this invocation's
// first row and column within it), SETUP (clamped row/column indices and the accumulators
// acc<r>_<j>), K_STEP (k..k+3, fully unrolled), K_TAIL (one k, for K % 4), EPILOGUE (store4
// calls). Rows and columns past the matrix are clamped for loading (their results are
// discarded), so the K loop has no bounds checks.
@compute @workgroup_size({{WG_X}}, {{WG_Y}}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>{{BUILTINS}}) {
  let pair = wid.y + wid.z * nwg.y;
  if (pair >= p.row_tiles * p.batches) { return; }
  let batch = pair / p.row_tiles;
  let base_a = batch * p.batch_stride_a;
  let base_b = batch * p.batch_stride_b;
  let row = (pair % p.row_tiles) * {{TILE_M}}u + {{ROW}};
  let col = wid.x * {{TILE_N}}u + {{COL}};
  let M = p.M;
  let N = p.N;
  let K = p.K;
{{SETUP}}
  var k = 0u;
  for (; k + 4u <= K; k += 4u) {
{{K_STEP}}
  }
  for (; k < K; k++) {
{{K_TAIL}}
  }

  let base_c = batch * M * N;
{{EPILOGUE}}
}
