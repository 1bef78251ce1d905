/**
 * gzip decompression through the platform's `DecompressionStream` (Node >= 18, Deno, browsers),
 * plus a helper that runs any byte `TransformStream` (also used for PNG deflate).
 */

/** True when `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompress a gzip stream (RFC 1952). Truncated or corrupt input rejects with a `gunzip: ...` error. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (!(bytes instanceof Uint8Array)) throw new Error('gunzip: input must be a Uint8Array');
  if (!isGzip(bytes)) {
    const head = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`gunzip: not gzip data (first bytes ${head || '(none)'}, expected 1f 8b)`);
  }
  // 10-byte header + at least an empty deflate block + 8-byte trailer (CRC32, ISIZE).
  if (bytes.length < 18) throw new Error(`gunzip: truncated gzip stream (${bytes.length} bytes, a gzip member needs at least 18)`);
  if (bytes[2] !== 8) throw new Error(`gunzip: unsupported compression method ${bytes[2]} (only 8 = deflate exists)`);
  if (typeof DecompressionStream !== 'function') {
    throw new Error('gunzip: DecompressionStream is not available in this runtime (needs Node >= 18, Deno or a modern browser)');
  }
  try {
    return await runTransform(new DecompressionStream('gzip'), bytes);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`gunzip: corrupt or truncated gzip data (${bytes.length} bytes): ${msg}`);
  }
}

/** Push `input` through a byte transform stream and collect everything it outputs. */
export async function runTransform(
  stream: { writable: WritableStream<BufferSource>; readable: ReadableStream<Uint8Array> },
  input: Uint8Array,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Write and read concurrently: awaiting the write first can deadlock on backpressure.
  const written = writer.write(input as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => {}); // the reader below sees the same failure; avoid an unhandled rejection
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  await written;
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only !== undefined && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
