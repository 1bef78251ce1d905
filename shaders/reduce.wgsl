// Reductions over the middle axis of an input viewed as [outer, R, inner]; the output is
// [outer, chunks, inner], where chunk c covers r in [c·chunk, min((c+1)·chunk, R)). With
// chunks = 1 this is a plain reduction; with chunks > 1 it is the first pass of a two-pass one.
//
// Template slots: {{T}} input type, {{ACC}} accumulator/output type, {{INIT}} identity value,
// {{MAP}} value read from `x` (may transform it, e.g. `v * v`), {{COMBINE}} in `acc` and `v`,
// {{FINAL}} the stored value in `acc` and `p.scale`.

struct Params {
  outer: u32,
  reduce: u32,
  inner: u32,
  chunk: u32,
  chunks: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read> x: array<{{T}}>;
@group(0) @binding(1) var<storage, read_write> out: array<{{ACC}}>;
@group(0) @binding(2) var<uniform> p: Params;

fn load(index: u32) -> {{ACC}} {
  let v = x[index];
  return {{MAP}};
}

fn combine(acc: {{ACC}}, v: {{ACC}}) -> {{ACC}} {
  return {{COMBINE}};
}

fn finish(acc: {{ACC}}) -> {{ACC}} {
  return {{FINAL}};
}

// @kernel per_thread
// One invocation per output element: coalesced over `inner`, best when inner > 1 or R is short.
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 256u);
  if (idx >= p.outer * p.chunks * p.inner) { return; }
  let i = idx % p.inner;
  let t = idx / p.inner;
  let c = t % p.chunks;
  let o = t / p.chunks;
  let r0 = c * p.chunk;
  let r1 = min(r0 + p.chunk, p.reduce);
  var acc: {{ACC}} = {{INIT}};
  for (var r = r0; r < r1; r++) {
    acc = combine(acc, load((o * p.reduce + r) * p.inner + i));
  }
  out[idx] = finish(acc);
}

// @kernel per_workgroup
// One workgroup of 64 invocations per output element (inner = 1 only): strided partial results,
// then a tree in workgroup memory. Best for long contiguous rows.
var<workgroup> partial: array<{{ACC}}, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = wid.x + wid.y * nwg.x;
  if (idx >= p.outer * p.chunks) { return; }
  let c = idx % p.chunks;
  let o = idx / p.chunks;
  let r0 = c * p.chunk;
  let r1 = min(r0 + p.chunk, p.reduce);
  var acc: {{ACC}} = {{INIT}};
  for (var r = r0 + lid; r < r1; r += 64u) {
    acc = combine(acc, load(o * p.reduce + r));
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      partial[lid] = combine(partial[lid], partial[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[idx] = finish(partial[0]);
  }
}
