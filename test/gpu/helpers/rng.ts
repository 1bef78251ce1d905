/**
 * A seeded CPU random generator for test inputs (SplitMix32-style mixing of a counter), so every
 * run and every runtime feeds the GPU the same numbers. Values are rounded to float32 so that the
 * float64 reference sees exactly what the GPU sees.
 */
import { sizeOf, type Arr } from './ref.js';

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform uint32. */
  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1) with 53 bits. */
  next(): number {
    return (this.u32() * 2097152 + (this.u32() >>> 11)) / 9007199254740992;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** Float32-rounded uniform values in [lo, hi), as an Arr. */
  array(shape: readonly number[], lo = -1, hi = 1): Arr {
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(this.uniform(lo, hi));
    return { data, shape: [...shape] };
  }

  /** Float32-rounded values whose magnitude is in [lo, hi) and sign is random (avoids a band around 0). */
  awayFromZero(shape: readonly number[], lo: number, hi: number): Arr {
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(this.uniform(lo, hi) * (this.next() < 0.5 ? -1 : 1));
    return { data, shape: [...shape] };
  }

  normalArray(shape: readonly number[], std = 1): Arr {
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(std * this.normal());
    return { data, shape: [...shape] };
  }

  intArray(shape: readonly number[], lo: number, hi: number): Arr {
    const data = new Float64Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = this.int(lo, hi);
    return { data, shape: [...shape] };
  }
}
