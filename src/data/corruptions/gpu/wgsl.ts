/**
 * Assembles the WGSL of a corruption kernel: the runtime's common helpers, Philox-4x32 taken
 * verbatim from shaders/random.wgsl (so the GPU draws the same words as src/random/philox.ts), the
 * corruption helpers, then one `@kernel` section of a family file, and `flag` (shaders/
 * corruptions_flag.wgsl) when the section calls it.
 */
import blurSource from '../../../../shaders/corruptions_blur.wgsl';
import colorSource from '../../../../shaders/corruptions_color.wgsl';
import commonSource from '../../../../shaders/corruptions_common.wgsl';
import flagSource from '../../../../shaders/corruptions_flag.wgsl';
import geometrySource from '../../../../shaders/corruptions_geometry.wgsl';
import ioSource from '../../../../shaders/corruptions_io.wgsl';
import noiseSource from '../../../../shaders/corruptions_noise.wgsl';
import randomSource from '../../../../shaders/random.wgsl';
import type { Kernel } from '../../../gpu/kernel.js';
import { WGSL_COMMON, shaderBody, shaderSection } from '../../../gpu/wgsl.js';

const FAMILIES = {
  io: ioSource,
  noise: noiseSource,
  color: colorSource,
  blur: blurSource,
  geometry: geometrySource,
} as const;

export type Family = keyof typeof FAMILIES;

/** The text of the top-level function `fn name(…) { … }` of a WGSL file (its body ends at a `}` in column 0). */
export function wgslFunction(source: string, name: string): string {
  const match = new RegExp(`^fn ${name}\\([\\s\\S]*?^\\}`, 'm').exec(source);
  if (!match) throw new Error(`WGSL: no function '${name}' in the source`);
  return match[0];
}

let prelude: string | null = null;

function corruptionPrelude(): string {
  prelude ??= [WGSL_COMMON, wgslFunction(randomSource, 'mulhi32'), wgslFunction(randomSource, 'philox4x32'), shaderBody(commonSource)].join('\n');
  return prelude;
}

/** The kernel `name` of `family` (file shaders/corruptions_<family>.wgsl), for `launch`. */
export function corruptionKernel(family: Family, name: string, op: string): Kernel {
  return {
    name: op,
    key: `corrupt|${family}|${name}`,
    wgsl: () => {
      const section = shaderSection(FAMILIES[family], name);
      const flag = /\bflag\(/.test(section) ? `\n${wgslFunction(flagSource, 'flag')}` : '';
      return `${corruptionPrelude()}\n${section}${flag}`;
    },
  };
}
