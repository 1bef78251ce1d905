// Appended by src/data/corruptions/gpu/wgsl.ts to the corruption kernels that call `flag`; those
// declare `status: array<atomic<u32>>` (layout in shaders/corruptions_io.wgsl) and `p.capacity`.
// Lists value i with a payload for the CPU to resolve (spec: values f32 cannot decide); past
// `capacity` entries only the count grows, and the caller recomputes the batch on the CPU.

fn flag(i: u32, payload: u32) {
  let j = atomicAdd(&status[1], 1u);
  if (j < p.capacity) {
    atomicStore(&status[4u + 2u * j], i);
    atomicStore(&status[5u + 2u * j], payload);
  }
}
