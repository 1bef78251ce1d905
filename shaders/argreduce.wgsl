// Index of the first extreme element along the middle axis of an input viewed as [outer, R, inner]
// (argmax/argmin), one invocation per output; the output is i32.
// Template slots: {{T}} input type, {{BETTER}} a boolean in `v` (candidate) and `best`.

struct Params {
  outer: u32,
  reduce: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 256u);
  if (idx >= p.outer * p.inner) { return; }
  let i = idx % p.inner;
  let o = idx / p.inner;
  var best = x[o * p.reduce * p.inner + i];
  var best_r = 0u;
  for (var r = 1u; r < p.reduce; r++) {
    let v = x[(o * p.reduce + r) * p.inner + i];
    if ({{BETTER}}) {
      best = v;
      best_r = r;
    }
  }
  out[idx] = i32(best_r);
}
