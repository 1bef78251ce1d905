// Direct convolution for tiny channel counts (a GEMM tile would be mostly empty): one invocation
// per output element out[n, oc, oh, ow], looping over (ic, kh, kw). Also serves strided 1×1
// convolutions with one channel (the MNIST generator's downsampling layers).
// Template slots: {{BINDINGS}} (optional bias, out, p), {{BIAS}} adds bias[oc] to `acc`,
// {{ACT}} the activation applied to `v`.

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
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
{{BINDINGS}}

fn activation(v: f32) -> f32 {
  return {{ACT}};
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = linear_index(wid, nwg, lid, 64u);
  if (idx >= p.N * p.OC * p.OH * p.OW) { return; }
  let ow = idx % p.OW;
  let oh = (idx / p.OW) % p.OH;
  let oc = (idx / (p.OW * p.OH)) % p.OC;
  let n = idx / (p.OW * p.OH * p.OC);
  var acc = 0.0;
  for (var ic = 0u; ic < p.C; ic++) {
    let x_base = (n * p.C + ic) * p.H;
    let w_base = (oc * p.C + ic) * p.KH;
    for (var kh = 0u; kh < p.KH; kh++) {
      let ih = i32(oh * p.stride_h + kh) - i32(p.pad_h);
      if (ih < 0 || ih >= i32(p.H)) { continue; }
      for (var kw = 0u; kw < p.KW; kw++) {
        let iw = i32(ow * p.stride_w + kw) - i32(p.pad_w);
        if (iw < 0 || iw >= i32(p.W)) { continue; }
        acc = fma(x[(x_base + u32(ih)) * p.W + u32(iw)], w[(w_base + kh) * p.KW + kw], acc);
      }
    }
  }
  {{BIAS}}
  out[idx] = activation(acc);
}
