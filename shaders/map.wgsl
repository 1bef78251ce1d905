// Elementwise map over an output of up to 8 dimensions (merged where contiguous) with up to 6 inputs. Each input is read at
// its own element strides (0 along broadcast dimensions) and offset, which makes the same kernel
// serve unary and binary ops, NumPy broadcasting, their gradients, transpose, slice,
// broadcastTo and concat (an output written at strides/offset).
//
// Template slots (filled by src/ops/map.ts):
//   {{INPUT_STRIDES}}  one `stridesK: array<vec4<u32>, 2>,` field per strided input
//   {{INPUT_OFFSETS}}  one `offsetK: u32,` field per input
//   {{BINDINGS}}       the input and output storage buffers and the uniform struct
//   {{INDEX}}          computes `o_out` and `oK` (element offsets) from the linear index `i`
//   {{LOADS}}          `let name = inK[oK];` for each input
//   {{EXPR}}           the value written to `out[o_out]`; it may use the f32 constants s0..s3
//   {{PER}}            consecutive elements per invocation (1 on GPUs; more on CPU adapters, which
//                      pay a fixed cost per invocation)

struct Params {
  shape: array<vec4<u32>, 2>,
  out_strides: array<vec4<u32>, 2>,
  {{INPUT_STRIDES}}
  size: u32,
  rank: u32,
  out_offset: u32,
  {{INPUT_OFFSETS}}
  s0: f32,
  s1: f32,
  s2: f32,
  s3: f32,
}

{{BINDINGS}}

fn element(i: u32) {
  {{INDEX}}
  let s0 = p.s0;
  let s1 = p.s1;
  let s2 = p.s2;
  let s3 = p.s3;
  {{LOADS}}
  out[o_out] = {{EXPR}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = linear_index(wid, nwg, lid, 256u) * {{PER}}u;
  for (var k = 0u; k < {{PER}}u; k++) {
    let i = first + k;
    if (i >= p.size) { return; }
    element(i);
  }
}
