// Row gather (index_select along axis 0): out[b, j] = x[index[b], j] for rows of `inner` elements.
// Indices outside [0, rows) produce NaN rows, so a bad index is visible rather than silently wrong.

struct Params {
  batch: u32,
  inner: u32,
  rows: u32,
}

@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<{{T}}>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 256u);
  if (i >= p.batch * p.inner) { return; }
  let row = index[i / p.inner];
  if (row < 0 || u32(row) >= p.rows) {
    out[i] = {{INVALID}};
    return;
  }
  out[i] = x[u32(row) * p.inner + i % p.inner];
}
