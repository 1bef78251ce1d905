import common from '../../shaders/common.wgsl';

/** Shared helper functions (NaN tests, log1p, …) for kernels that use them. */
export const WGSL_COMMON = common;

/**
 * The tiny template step for WGSL: replaces every `{{NAME}}` with `values[NAME]`; a slot left
 * unfilled or a value that names no slot is an error (both mean the template and its caller
 * disagree).
 */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  const used = new Set<string>();
  const out = template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`WGSL template: no value for {{${name}}}`);
    used.add(name);
    return String(values[name]);
  });
  for (const name of Object.keys(values)) {
    if (!used.has(name)) throw new Error(`WGSL template: {{${name}}} does not occur in the template`);
  }
  return out;
}

/** Strips the leading comment block of a .wgsl file (documentation for readers, not for the compiler). */
export function shaderBody(source: string): string {
  return source.replace(/^(\s*\/\/[^\n]*\n)+/, '');
}

/**
 * One kernel of a family file: the text from the line `// @kernel <name>` to the next such line
 * (or the end), preceded by the file's shared part (everything before the first marker).
 */
export function shaderSection(source: string, name: string): string {
  const parts = source.split(/^\/\/ @kernel /m);
  const shared = shaderBody(parts[0] ?? '');
  const section = parts.slice(1).find((p) => p.startsWith(`${name}\n`));
  if (!section) throw new Error(`WGSL: no kernel '${name}' in this shader file`);
  return `${shared}\n${section.slice(name.length + 1)}`;
}
