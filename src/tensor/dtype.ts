export type DType = 'float32' | 'int32';
export type TypedArray = Float32Array | Int32Array;

export const DTYPES: readonly DType[] = ['float32', 'int32'];

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'int32';
}

/** The WGSL scalar type that stores a dtype. */
export function wgslType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'float32' ? 'f32' : 'i32';
}

export function typedArrayFor(dtype: DType, buffer: ArrayBuffer | number): TypedArray {
  if (typeof buffer === 'number') return dtype === 'float32' ? new Float32Array(buffer) : new Int32Array(buffer);
  return dtype === 'float32' ? new Float32Array(buffer) : new Int32Array(buffer);
}
