/**
 * `ps.data.loadCIFAR10(dirOrBuffers)`: CIFAR-10, binary version (cifar-10-binary.tar.gz, unpacked):
 * `data_batch_1.bin` … `data_batch_5.bin` (train) and `test_batch.bin` (test), records of
 * `<label><1024 R><1024 G><1024 B>` (cifar10-binary.ts). Images stay uint8 CHW [3, 32, 32] as
 * stored, on the CPU; batches come out as floats k/255.
 */
import { readFile } from '../io/files.js';
import { parseCifar10Batch } from './cifar10-binary.js';
import { ImageDataset } from './dataset.js';

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';

/** The files' bytes: train batches in order 1..5 (any number ≥ 1), and the test batch. */
export interface CIFAR10Buffers {
  train: readonly Uint8Array[];
  test: Uint8Array;
}

export interface CIFAR10 {
  train: ImageDataset;
  test: ImageDataset;
}

async function readIn(dir: string, name: string): Promise<Uint8Array> {
  const base = dir.replace(/\/+$/, '');
  const errors: string[] = [];
  // accept the unpacked folder itself or its parent
  for (const path of [`${base}/${name}`, `${base}/cifar-10-batches-bin/${name}`]) {
    try {
      return await readFile(path);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(`loadCIFAR10: cannot read ${name} in ${dir} (or ${dir}/cifar-10-batches-bin): ${errors.join('; ')}`);
}

/** Parses and concatenates batches; errors name the file. */
function toDataset(batches: readonly Uint8Array[], names: readonly string[]): ImageDataset {
  const parsed = batches.map((bytes, i) => {
    try {
      return parseCifar10Batch(bytes);
    } catch (err) {
      throw new Error(`loadCIFAR10: ${names[i]}: ${(err as Error).message}`);
    }
  });
  const count = parsed.reduce((n, p) => n + p.labels.length, 0);
  const pixels = new Uint8Array(count * 3072);
  const labels = new Int32Array(count);
  let at = 0;
  for (const p of parsed) {
    pixels.set(p.images, at * 3072);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return new ImageDataset(pixels, labels, [3, 32, 32]);
}

export async function loadCIFAR10(source: string | CIFAR10Buffers): Promise<CIFAR10> {
  if (typeof source === 'string') {
    const files = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
    const bytes = await Promise.all(files.map((name) => readIn(source, name)));
    return { train: toDataset(bytes.slice(0, 5), CIFAR10_TRAIN_FILES), test: toDataset([bytes[5]!], [CIFAR10_TEST_FILE]) };
  }
  if (source === null || typeof source !== 'object') {
    throw new TypeError('loadCIFAR10: expected a directory path or {train: Uint8Array[], test: Uint8Array} (the .bin files\' bytes)');
  }
  const { train, test } = source;
  if (!Array.isArray(train) || train.length === 0 || !train.every((b) => b instanceof Uint8Array)) {
    throw new TypeError('loadCIFAR10: buffers.train must be a non-empty array of Uint8Array (data_batch_1.bin … data_batch_5.bin)');
  }
  if (!(test instanceof Uint8Array)) throw new TypeError(`loadCIFAR10: buffers.test must be a Uint8Array (${CIFAR10_TEST_FILE})`);
  return {
    train: toDataset(train, train.map((_, i) => `train[${i}] (data_batch_${i + 1}.bin)`)),
    test: toDataset([test], [`test (${CIFAR10_TEST_FILE})`]),
  };
}
