/**
 * Read-only tables that never change (frost sheets, shot-noise tables, k/255): uploaded once per
 * device into plain GPU buffers. They are not tensors, so they do not count in `ps.memory()`, and
 * they live as long as the device.
 */
import type { Binding } from '../../../gpu/queue.js';
import { runtime } from '../../../gpu/runtime.js';

const STORAGE = 0x80;
const COPY_DST = 0x08;

const perDevice = new WeakMap<GPUDevice, Map<string, Binding>>();

/** The device buffer named `id`, created from `make()` on first use. */
export function constantBuffer(id: string, make: () => Uint32Array | Float32Array): Binding {
  const device = runtime().device;
  let buffers = perDevice.get(device);
  if (!buffers) {
    buffers = new Map();
    perDevice.set(device, buffers);
  }
  let binding = buffers.get(id);
  if (!binding) {
    const data = make();
    const size = Math.max(4, data.byteLength);
    const buffer = device.createBuffer({ size: Math.ceil(size / 4) * 4, usage: STORAGE | COPY_DST, label: `corrupt constant ${id}` });
    if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    binding = { buffer, size: buffer.size };
    buffers.set(id, binding);
  }
  return binding;
}

/** fround(k/255) for k = 0..255: what the CPU reference stores (`bytes[j] / 255` into a Float32Array). */
export function unitTableBinding(): Binding {
  return constantBuffer('unit', () => Float32Array.from({ length: 256 }, (_, k) => k / 255));
}

/** Packs bytes four per u32 word (little-endian: byte i is bits 8·(i mod 4) of word i / 4). */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}
