// In-place optimiser updates, one invocation per parameter element (torch.optim semantics).

// @kernel adam
// torch.optim.Adam (L2 weight decay added to the gradient; no amsgrad):
//   g ← g + wd·θ;  m ← m + (1 − β1)(g − m);  v ← β2·v + (1 − β2)·g²
//   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
struct AdamParams {
  size: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  weight_decay: f32,
  step_size: f32,
  bias_correction2_sqrt: f32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> exp_avg: array<f32>;
@group(0) @binding(3) var<storage, read_write> exp_avg_sq: array<f32>;
@group(0) @binding(4) var<uniform> p: AdamParams;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 256u);
  if (i >= p.size) { return; }
  let theta = param[i];
  let g = grad[i] + p.weight_decay * theta;
  let m = exp_avg[i] + (1.0 - p.beta1) * (g - exp_avg[i]);
  let v = p.beta2 * exp_avg_sq[i] + (1.0 - p.beta2) * g * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  let denom = sqrt(v) / p.bias_correction2_sqrt + p.eps;
  param[i] = theta - p.step_size * m / denom;
}

// @kernel sgd
// torch.optim.SGD: g ← g + wd·θ; with momentum μ: b ← g on the first step, else μ·b + (1 − dampening)·g;
// g ← g + μ·b (Nesterov) or b; θ ← θ − lr·g.
struct SgdParams {
  size: u32,
  lr: f32,
  momentum: f32,
  dampening: f32,
  weight_decay: f32,
  nesterov: u32,
  first_step: u32,
}

@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> momentum_buffer: array<f32>;
@group(0) @binding(3) var<uniform> p: SgdParams;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, nwg, lid, 256u);
  if (i >= p.size) { return; }
  let theta = param[i];
  var g = grad[i] + p.weight_decay * theta;
  if (p.momentum != 0.0) {
    var b = g;
    if (p.first_step == 0u) { b = p.momentum * momentum_buffer[i] + (1.0 - p.dampening) * g; }
    momentum_buffer[i] = b;
    g = select(b, g + p.momentum * b, p.nesterov == 1u);
  }
  param[i] = theta - p.lr * g;
}
