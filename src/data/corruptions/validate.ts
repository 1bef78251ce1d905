/** Argument checks for `corrupt` (errors name the function and the value at fault). */
import { CORRUPTION_NAMES, isCorruptionName } from './names.js';
import { REGISTRY } from './registry.js';
import type { CorruptionName, Severity } from './types.js';

export function checkName(name: unknown): asserts name is CorruptionName {
  if (!isCorruptionName(name)) {
    throw new RangeError(`corrupt: unknown corruption ${describe(name)} (known: ${CORRUPTION_NAMES.join(', ')})`);
  }
}

export function checkSeverity(severity: unknown): asserts severity is Severity {
  if (typeof severity !== 'number' || !Number.isInteger(severity) || severity < 1 || severity > 5) {
    throw new RangeError(`corrupt: severity must be an integer 1..5, got ${describe(severity)}`);
  }
}

/** Checks the NCHW shape (B ≥ 0, C = 3, H, W ≥ 1) against the data length. Returns [B, H, W]. */
export function checkShape(images: ArrayLike<number>, shape: unknown): [number, number, number] {
  const dims = Array.isArray(shape) ? (shape as unknown[]) : null;
  const ok =
    dims !== null &&
    dims.length === 4 &&
    dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0) &&
    dims[1] === 3 &&
    (dims[2] as number) >= 1 &&
    (dims[3] as number) >= 1;
  if (!ok) throw new RangeError(`corrupt: expected images [B, 3, H, W], got ${describe(shape)}`);
  const [b, , h, w] = dims as number[];
  if (images.length !== b! * 3 * h! * w!) {
    throw new RangeError(
      `corrupt: images has ${images.length} values but shape [${(dims as number[]).join(', ')}] needs ${b! * 3 * h! * w!}`,
    );
  }
  return [b!, h!, w!];
}

export function checkSize(name: CorruptionName, height: number, width: number): void {
  const why = REGISTRY[name].unsupportedSize?.(height, width) ?? null;
  if (why !== null) throw new RangeError(`corrupt: ${why}`);
}

/** Every value finite and in [0, 1]. */
export function checkRange(images: ArrayLike<number>): void {
  for (let i = 0; i < images.length; i++) {
    const v = images[i]!;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`corrupt: values must lie in [0, 1]; found ${v} at index ${i}`);
  }
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ')}]`;
  return String(v);
}
