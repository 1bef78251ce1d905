/**
 * Node side: rewrites stack frames that point into a suite bundle (`http://127.0.0.1:PORT/x.js:L:C`
 * from Chromium, `file:///.../x.js:L:C` from Deno/Node) to the original source file and position,
 * using the bundle's source maps, so failures point at test/gpu/*.test.ts and src/**.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';

interface OriginalPosition {
  originalSource?: string;
  originalLine?: number;
  originalColumn?: number;
}

export type StackMapper = (text: string) => string;

export function createStackMapper(outDir: string): StackMapper {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (file: string): SourceMap | null => {
    if (!maps.has(file)) {
      const path = join(outDir, `${file}.map`);
      maps.set(file, existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : null);
    }
    return maps.get(file) ?? null;
  };
  // Any URL or path whose last segment is a bundle file, followed by :line:column.
  const frame = /(?:https?:\/\/127\.0\.0\.1:\d+\/|file:\/\/[^\s()]*\/|\/[^\s()]*\/)([\w.-]+\.js):(\d+):(\d+)/g;
  return (text) =>
    text.replace(frame, (whole, file: string, line: string, column: string) => {
      if (!whole.startsWith('http') && !whole.includes(outDir)) return whole;
      const map = mapFor(file);
      if (!map) return whole;
      const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as OriginalPosition;
      if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
      const source = entry.originalSource.startsWith('file://') ? new URL(entry.originalSource).pathname : resolve(dirname(join(outDir, file)), entry.originalSource);
      return `${source}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
}
