/**
 * Out-of-range index rules for a length-n axis (spec §1). All are total functions of any integer i.
 */

/** 'edge' / 'nearest' (scipy, skimage default, ImageMagick's default virtual pixels): clamp. */
export function edgeIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** scipy 'reflect' (half-sample symmetric, `… b a | a b c d | d c …`), period 2n. */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/** OpenCV BORDER_REFLECT_101 = scipy 'mirror' (`… c b | a b c d | c b …`), period 2n − 2. */
export function reflect101Index(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

export type BoundaryMode = 'edge' | 'reflect' | 'reflect101';

export function boundaryIndex(mode: BoundaryMode): (i: number, n: number) => number {
  return mode === 'edge' ? edgeIndex : mode === 'reflect' ? reflectIndex : reflect101Index;
}
