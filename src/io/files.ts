/**
 * File access for Node and Deno (through `node:fs/promises`, which Deno also provides). In a
 * browser these functions throw: pass bytes to the byte-level APIs instead.
 */
interface FsPromises {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  mkdir(path: string, opts: { recursive: boolean }): Promise<unknown>;
  readdir(path: string): Promise<string[]>;
}

async function fs(op: string): Promise<FsPromises> {
  try {
    const name = 'node:fs/promises';
    return (await import(/* @vite-ignore */ name)) as FsPromises;
  } catch {
    throw new Error(`${op}: file access needs Node or Deno; in a browser, pass the file's bytes instead`);
  }
}

export async function readFile(path: string): Promise<Uint8Array> {
  const f = await fs('readFile');
  const data = await f.readFile(path);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes bytes to `path`, creating parent directories. */
export async function writeFile(path: string, bytes: Uint8Array): Promise<void> {
  const f = await fs('writeFile');
  const slash = path.lastIndexOf('/');
  if (slash > 0) await f.mkdir(path.slice(0, slash), { recursive: true });
  await f.writeFile(path, bytes);
}

export async function listDir(path: string): Promise<string[]> {
  return (await fs('listDir')).readdir(path);
}
