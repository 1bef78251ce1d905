import { readFile } from '../io/files.js';
import { ImageDataset } from './dataset.js';
import { decodeMNISTImages, decodeMNISTLabels } from './idx.js';

export interface MNISTBuffers {
  trainImages: Uint8Array;
  trainLabels: Uint8Array;
  testImages: Uint8Array;
  testLabels: Uint8Array;
}

export interface MNIST {
  train: ImageDataset;
  test: ImageDataset;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

async function readEither(dir: string, base: string): Promise<Uint8Array> {
  const errors: string[] = [];
  for (const name of [`${base}.gz`, base]) {
    try {
      return await readFile(`${dir.replace(/\/$/, '')}/${name}`);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  throw new Error(`loadMNIST: cannot read ${base}(.gz) in ${dir}: ${errors.join('; ')}`);
}

/**
 * MNIST from the four original IDX files (gzipped or not): a directory (Node/Deno) or the files'
 * bytes (anywhere). Images are [1, 28, 28], uint8 on the CPU; batches come out in [0, 1].
 */
export async function loadMNIST(source: string | MNISTBuffers): Promise<MNIST> {
  let buffers: MNISTBuffers;
  if (typeof source === 'string') {
    const entries = await Promise.all(Object.entries(FILES).map(async ([k, base]) => [k, await readEither(source, base)] as const));
    buffers = Object.fromEntries(entries) as unknown as MNISTBuffers;
  } else if (source && typeof source === 'object') {
    for (const k of Object.keys(FILES)) {
      if (!((source as unknown as Record<string, unknown>)[k] instanceof Uint8Array)) throw new TypeError(`loadMNIST: buffers.${k} must be a Uint8Array`);
    }
    buffers = source;
  } else {
    throw new TypeError('loadMNIST: expected a directory path or {trainImages, trainLabels, testImages, testLabels} bytes');
  }
  // Decoding errors name the file (or buffer) they come from.
  const where = (k: keyof typeof FILES) => (typeof source === 'string' ? `${FILES[k]} in ${source}` : `buffers.${k}`);
  const named = <T>(k: keyof typeof FILES, p: Promise<T>) =>
    p.catch((err: unknown) => {
      throw new Error(`loadMNIST: ${where(k)}: ${(err as Error).message}`);
    });
  const split = async (imagesBytes: Uint8Array, labelsBytes: Uint8Array, name: 'train' | 'test') => {
    const [images, labels] = await Promise.all([
      named(name === 'train' ? 'trainImages' : 'testImages', decodeMNISTImages(imagesBytes)),
      named(name === 'train' ? 'trainLabels' : 'testLabels', decodeMNISTLabels(labelsBytes)),
    ]);
    if (images.count !== labels.length) throw new Error(`loadMNIST: ${name} has ${images.count} images but ${labels.length} labels`);
    return new ImageDataset(images.pixels, Int32Array.from(labels), [1, images.rows, images.cols]);
  };
  const [train, test] = await Promise.all([split(buffers.trainImages, buffers.trainLabels, 'train'), split(buffers.testImages, buffers.testLabels, 'test')]);
  return { train, test };
}
