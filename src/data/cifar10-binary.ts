/**
 * CIFAR-10 binary batches (`cifar-10-batches-bin/data_batch_{1..5}.bin`, `test_batch.bin`):
 * records of 3073 bytes, `<label 0..9><1024 R><1024 G><1024 B>`, each plane a row-major 32×32
 * image. A real batch holds 10000 records (30,730,000 bytes).
 */

export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** Split a batch into labels and N×3×32×32 uint8 pixels (CHW planes, as stored). */
export function parseCifar10Batch(bytes: Uint8Array): { images: Uint8Array; labels: Uint8Array } {
  if (!(bytes instanceof Uint8Array)) throw new Error('parseCifar10Batch: input must be a Uint8Array');
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new Error(
      `parseCifar10Batch: ${bytes.length} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte record ` +
        `(${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)} whole records and ${bytes.length % CIFAR10_RECORD_BYTES} bytes over)`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  const px = CIFAR10_RECORD_BYTES - 1;
  const labels = new Uint8Array(n);
  const images = new Uint8Array(n * px);
  for (let i = 0; i < n; i++) {
    const at = i * CIFAR10_RECORD_BYTES;
    const label = bytes[at]!;
    if (label > 9) throw new Error(`parseCifar10Batch: record ${i} (byte offset ${at}) has label ${label}, expected 0..9`);
    labels[i] = label;
    images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), i * px);
  }
  return { images, labels };
}
