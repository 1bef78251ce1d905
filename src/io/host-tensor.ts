/**
 * A tensor living in host (CPU) memory: the currency of the byte-level I/O layer.
 * `data` is row-major (C order) and holds exactly `shape.reduce(*)` elements.
 * The tensor runtime converts these to and from GPU tensors.
 */
export type HostDtype = 'float32' | 'int32';

export type HostTensor = {
  dtype: HostDtype;
  shape: number[];
  data: Float32Array | Int32Array;
};

/** Number of elements of `shape`, with a check that every dimension is a non-negative integer. */
export function shapeSize(shape: readonly number[], where: string): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${where}: dimension ${i} of shape [${shape.join(', ')}] is ${d}, expected a non-negative integer`);
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new Error(`${where}: shape [${shape.join(', ')}] has more than 2^53 elements`);
  }
  return n;
}
