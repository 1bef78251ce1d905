// Row-segment convolution kernels for CPU adapters (lavapipe, SwiftShader; src/ops/conv-rows.ts
// generates the bodies, src/ops/conv-kernel.ts `convConfig` has the measurements). A CPU adapter
// runs a subgroup's invocations as SIMD lanes and performs every storage load lane by lane, so
// these kernels load each value once per subgroup where they can and reuse it from registers:
//
//   forward   one lane = TW consecutive output pixels of one output row (n, oh, segment) × RO output
//             channels in registers (a direct convolution: each loaded input value feeds up to KW
//             taps of TW pixels, no im2col gather). Per input channel the RO × KH × KW weights
//             arrive through subgroupBroadcast (every lane loads RO·KH·KW/(4·SG) vec4 units of a
//             packed weight block); with vertical stride 1 neighbouring lanes hold neighbouring
//             output rows, each lane loads one input row span and takes the other KH − 1 from its
//             neighbours with subgroupShuffle (lanes at the subgroup's or the image's edge load
//             theirs inside a branch the others skip). Also the input gradient of stride-1
//             convolutions: a forward convolution of dY with the transposed, flipped weights.
//   wgrad_ic  weight gradient, one lane = one input channel × RO output channels × KH·KW taps in
//             registers; one flat loop over (image, segment, output row) of a chunk of images (a
//             split reduction: one partial sum per chunk). The dY segment (RO × TW values) is
//             loaded once per subgroup and broadcast; each lane keeps the KH − 1 input rows that
//             consecutive output rows share and loads one new row per step.
//   wgrad_oc  weight gradient for few input channels (the first layer: C = 1 or 2): one lane = RL
//             output channels × CB input channels × KH·KW taps; the input row spans are loaded once
//             per subgroup and broadcast, each lane loads its own dY rows.
//   pack      weights [OC, C, KH, KW] → blocks [OC / RO][C][KH·KW][RO] (vec4 units of 4 output
//             channels at one tap), or for the input gradient the transposed, spatially flipped
//             blocks [C / RO][OC][KH·KW][RO]; a range of output channels at a time.
// Without subgroups (SG = 1: Deno's wgpu) every invocation loads the shared operand itself.
//
// Slots: {{BINDINGS}} (everything after binding 1), {{WG}} (invocations per workgroup), {{LANE}}
// (the subgroup lane builtin or nothing), {{ACT}}, {{SETUP}}, {{STEP}} / {{BODY}}, {{EPILOGUE}}
// (generated); the pack kernel has none. Shapes travel in `p`, never in the text; the tile (TW,
// RO, …), the kernel size, the horizontal stride and the epilogue are in the text (and the key).

// @kernel forward
struct Params {
  N: u32,
  C: u32,
  H: u32,
  W: u32,
  OC: u32,
  OH: u32,
  OW: u32,
  pad_h: u32,
  pad_w: u32,
  stride_h: u32,
  // Row segments per output row (ceil(OW / TW)) and N · OH · segs.
  segs: u32,
  tasks: u32,
  // First output channel of this dispatch (a few trailing channels may run as a second dispatch
  // with a smaller block, so that 65 channels compute 68, not 80).
  oc0: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> wt: array<vec4<f32>>;
{{BINDINGS}}

fn activation(v: f32) -> f32 {
  return {{ACT}};
}

// Grid: x (folded over z) = groups of WG tasks (row segments), y = blocks of RO output channels.
// SETUP decomposes the task into (n, oh, seg): segments fastest, or (with shared rows) output rows
// fastest, so that neighbouring lanes hold neighbouring rows and pass input rows around with
// subgroupShuffle instead of each loading all KH of them.
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32{{LANE}}) {
  let t = (wid.x + wid.z * nwg.x) * {{WG}}u + lid;
  let tc = min(t, p.tasks - 1u);
  let ob = wid.y;
{{SETUP}}
  for (var ic = 0u; ic < p.C; ic++) {
{{STEP}}
  }
  if (t >= p.tasks) { return; }
{{EPILOGUE}}
}

// @kernel wgrad_ic
struct Params {
  N: u32,
  C: u32,
  H: u32,
  W: u32,
  OC: u32,
  OH: u32,
  OW: u32,
  pad_h: u32,
  pad_w: u32,
  stride_h: u32,
  segs: u32,
  // Images per chunk of the split reduction (workgroup z = chunk).
  imgs: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
{{BINDINGS}}

// Grid: x = groups of WG input channels, y = blocks of RO output channels, z = chunks of images.
// Output: partial sums [chunks, OC, C · KH · KW]. BODY: one flat loop over the chunk's (image,
// segment, output row), rows fastest: with stride 1 a lane keeps the KH - 1 input rows the next
// output row shares and loads one new row per step. (One loop, not three nested ones: SwiftShader
// compiles nested loops around many live accumulators very slowly — minutes.)
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(local_invocation_index) lid: u32{{LANE}}) {
  let icl = wid.x * {{WG}}u + lid;
  let ic = min(icl, p.C - 1u);
  let ob = wid.y;
  let n0 = wid.z * p.imgs;
  let n1 = min(n0 + p.imgs, p.N);
  let HW = p.H * p.W;
  let P = p.OH * p.OW;
{{SETUP}}
{{BODY}}
  if (icl >= p.C) { return; }
{{EPILOGUE}}
}

// @kernel wgrad_oc
struct Params {
  N: u32,
  C: u32,
  H: u32,
  W: u32,
  OC: u32,
  OH: u32,
  OW: u32,
  pad_h: u32,
  pad_w: u32,
  stride_h: u32,
  segs: u32,
  imgs: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
{{BINDINGS}}

// Grid: x = blocks of CB input channels, y = groups of WG · RL output channels, z = chunks of
// images. Output: partial sums [chunks, OC, C · KH · KW].
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(local_invocation_index) lid: u32{{LANE}}) {
  let n0 = wid.z * p.imgs;
  let n1 = min(n0 + p.imgs, p.N);
  let HW = p.H * p.W;
  let P = p.OH * p.OW;
{{SETUP}}
  // One flat loop over (image, output row, segment): SwiftShader compiles nested loops around
  // many live accumulators very slowly (minutes).
  var n = n0;
  var oh = 0u;
  var seg = 0u;
  for (var t = 0u; t < (n1 - n0) * p.OH * p.segs; t++) {
    let x_image = i32(n * p.C * HW);
    let dy_image = n * p.OC * P;
    let ih0 = i32(oh * p.stride_h) - i32(p.pad_h);
{{STEP}}
    seg++;
    if (seg == p.segs) {
      seg = 0u;
      oh++;
      if (oh == p.OH) {
        oh = 0u;
        n++;
      }
    }
  }
{{EPILOGUE}}
}

// @kernel pack
struct Params {
  OC: u32,
  C: u32,
  taps: u32,
  // Block size (output channels of the packed convolution per block).
  RO: u32,
  // 0: forward blocks [OC / RO][C][taps][RO]; 1: input-gradient blocks [C / RO][OC][taps][RO]
  // holding w[oc, c, taps - 1 - tap] (transposed and flipped in both spatial axes).
  flip: u32,
  total: u32,
  // First packed output channel (block 0 starts there).
  first: u32,
}

@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

// One invocation per packed row (block, inner channel): its taps × RO elements in two loops, no
// divisions per element (CPU adapters pay per invocation and per integer division).
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, nwg, lid, 64u);
  let inner = select(p.C, p.OC, p.flip == 1u);
  let outer = select(p.OC, p.C, p.flip == 1u);
  if (row >= p.total / (p.taps * p.RO)) { return; }
  let i = row % inner;
  let o0 = p.first + row / inner * p.RO;
  var at = row * p.taps * p.RO;
  for (var tap = 0u; tap < p.taps; tap++) {
    for (var r = 0u; r < p.RO; r++) {
      let o = o0 + r;
      var v = 0.0;
      if (o < outer) {
        if (p.flip == 1u) {
          v = w[(i * p.C + o) * p.taps + (p.taps - 1u - tap)];
        } else {
          v = w[(o * p.C + i) * p.taps + tap];
        }
      }
      out[at] = v;
      at++;
    }
  }
}
