// Input and output stages of a GPU corruption (src/data/corruptions/gpu/run.ts): quantise the
// [0, 1] input to bytes while checking its range, turn stored bytes into k/255 floats, and patch
// the values that the CPU resolved.
//
// status (array<atomic<u32>>): [0] smallest index of a value outside [0, 1] (0xffffffff: none),
// [1] number of flagged values, [2], [3] unused, then (index, payload) pairs of flagged values.

// @kernel quantize
// bytes[i] = round(255·x[i]) (half up, as Math.round); a value that is NaN or outside [0, 1]
// records its index with atomicMin.
struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> bytes: array<u32>;
@group(0) @binding(2) var<storage, read_write> status: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  let v = x[i];
  if (is_nan(v) || !(v >= 0.0 && v <= 1.0)) {
    atomicMin(&status[0], i);
    bytes[i] = 0u;
    return;
  }
  bytes[i] = u32(floor(v * 255.0 + 0.5));
}

// @kernel unit
// out[i] = k/255 as float32 (correctly rounded, from a table: WGSL division is not).
struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> bytes: array<u32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 64u);
  if (i >= p.n) { return; }
  out[i] = table[min(bytes[i], 255u)];
}

// @kernel scatter
// out[index[j]] = value[j] for the flagged values that the CPU resolved.
struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> index: array<u32>;
@group(0) @binding(1) var<storage, read> value: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = linear_index(wid, nwg, lid, 64u);
  if (j >= p.n) { return; }
  out[index[j]] = value[j];
}
