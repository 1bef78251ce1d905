// saveSafetensors / loadSafetensors on GPU tensors (the byte level is tested in
// test/cpu/io-safetensors.test.ts): a state dict survives save → load → save byte for byte
// (float32 with NaN / ±0 / ±inf / subnormal bits, int32, scalars, empty tensors, F16 / BF16 / I64
// storage, metadata); a file written like safetensors.torch.save_file (test/fixtures/torch-ops.json)
// is re-written identically; and malformed files — truncated, wrong offsets, a huge header length,
// an unknown dtype, ... — each throw a clear error at once, upload nothing and leave memory as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { readAll } from './helpers/check.js';
import { base64Bytes, fixture } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

const specials = () => {
  const bits = new Uint32Array([0x7fc00000, 0x7fa00001, 0xffc00123, 0x80000000, 0, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x3f800000, 0xbf8ccccd]);
  return new Float32Array(bits.buffer);
};

function stateDict(): Record<string, ps.Tensor> {
  return {
    'conv1.weight': ps.tensor(Float32Array.from({ length: 2 * 1 * 3 * 3 }, (_, i) => Math.fround(Math.sin(i) / 3)), [2, 1, 3, 3]),
    'conv1.bias': ps.tensor([0.25, -0.5]),
    'bn1.weight': ps.ones([2]),
    'bn1.running_mean': ps.tensor([1e-30, -3.5]),
    'bn1.num_batches_tracked': ps.full([], 7, 'int32'),
    specials: ps.tensor(specials(), [3, 4]),
    labels: ps.tensor(Int32Array.from([0, -1, 2147483647, -2147483648, 9]), [5], 'int32'),
    empty: ps.zeros([2, 0]),
    'fc.weight': ps.tensor(Float32Array.from({ length: 12 }, (_, i) => i / 8 - 0.75), [3, 4]),
  };
}

async function bitsOf(named: Record<string, ps.Tensor>): Promise<Record<string, number[]>> {
  const names = Object.keys(named).sort();
  const values = await Promise.all(names.map((n) => named[n]!.data()));
  return Object.fromEntries(names.map((n, i) => [n, Array.from(new Uint32Array(values[i]!.buffer, values[i]!.byteOffset, values[i]!.length))]));
}

describe('safetensors round trips through GPU tensors', () => {
  it('save → load → save gives identical bytes and identical bits (NaN payloads, -0, ±inf, subnormals, int32 extremes)', async () => {
    const sd = stateDict();
    const first = await ps.io.saveSafetensors(sd, { metadata: { format: 'pt', note: 'round trip' } });
    const loaded = ps.io.loadSafetensors(first);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(sd).sort());
    for (const [name, t] of Object.entries(sd)) {
      expect(loaded[name]!.shape).toEqual(t.shape);
      expect(loaded[name]!.dtype).toBe(t.dtype);
    }
    const second = await ps.io.saveSafetensors(loaded, { metadata: { format: 'pt', note: 'round trip' } });
    expect(second).toEqual(first);
    expect(await bitsOf(loaded)).toEqual(await bitsOf(sd));
    const { metadata } = ps.io.readSafetensors(first);
    expect(metadata).toEqual({ format: 'pt', note: 'round trip' });
    for (const t of [...Object.values(sd), ...Object.values(loaded)]) t.dispose();
  });

  it('F16 / BF16 / I64 storage: load upcasts, saving with the same dtypes gives the same bytes', async () => {
    const sd = {
      half: ps.tensor([0.5, -2, 65504, 6.103515625e-5, 0.333251953125]),
      brain: ps.tensor([1, -0.5, 3.0e38, 0.0078125]),
      counter: ps.full([], 123, 'int32'),
    };
    const dtypes = { half: 'F16', brain: 'BF16', counter: 'I64' } as const;
    const first = await ps.io.saveSafetensors(sd, { dtypes });
    const loaded = ps.io.loadSafetensors(first);
    expect(loaded.counter!.dtype).toBe('int32');
    const [h, b] = await readAll([loaded.half!, loaded.brain!]);
    expect(Array.from(h!)).toEqual([0.5, -2, 65504, 6.103515625e-5, 0.333251953125]);
    expect(Array.from(b!)[0]).toBe(1);
    expect(await ps.io.saveSafetensors(loaded, { dtypes })).toEqual(first);
    for (const t of [...Object.values(sd), ...Object.values(loaded)]) t.dispose();
  });

  it("a PyTorch-style file (sorted by dtype then name, int64 counter, metadata) is re-written byte for byte", async () => {
    const bytes = base64Bytes(fixture.network.safetensorsBase64);
    const loaded = ps.io.loadSafetensors(bytes);
    const again = await ps.io.saveSafetensors(Object.entries(loaded).reverse(), { metadata: { format: 'pt' }, dtypes: { 'bn2.num_batches_tracked': 'I64' } });
    expect(again).toEqual(bytes);
    for (const t of Object.values(loaded)) t.dispose();
  });

  it('saveSafetensors refuses disposed tensors and duplicate names', async () => {
    const t = ps.zeros([2]);
    t.dispose();
    await expect(ps.io.saveSafetensors({ a: t })).rejects.toThrow(/saveSafetensors: tensor 'a' \(tensor #\d+ \[2\]\) has been disposed/);
    const u = ps.zeros([1]);
    await expect(ps.io.saveSafetensors([['x', u], ['x', u]])).rejects.toThrow(/duplicate tensor name 'x'/);
    u.dispose();
  });
});

/** A file from a header (object or raw text) and data bytes, with the true header length unless given. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const t = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

describe('malformed safetensors files at the tensor level', () => {
  it('each gives a clear error quickly, uploads nothing and leaves memory as it was', async () => {
    const sd = stateDict();
    const good = await ps.io.saveSafetensors(sd);
    for (const x of Object.values(sd)) x.dispose();
    const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
    const data16 = new Uint8Array(16);
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty file', new Uint8Array(0), /file is 0 bytes, shorter than the 8-byte header length prefix/],
      ['truncated inside the length prefix', good.subarray(0, 5), /file is 5 bytes/],
      ['truncated right after the length prefix', good.subarray(0, 8), new RegExp(`header length ${headerLen} runs past the end of the file \\(8 bytes`)],
      ['truncated inside the header', good.subarray(0, 8 + (headerLen >> 1)), /runs past the end of the file/],
      ['truncated right after the header', good.subarray(0, 8 + headerLen), /beyond the 0-byte data buffer/],
      ['truncated by one byte', good.subarray(0, good.length - 1), /beyond the \d+-byte data buffer/],
      ['one byte too many', Uint8Array.from([...good, 0]), /1 trailing bytes belong to no tensor/],
      ['huge header length 2^64 − 1', craft({}, new Uint8Array(0), 2n ** 64n - 1n), /header length 18446744073709551615 exceeds the 100000000-byte limit/],
      ['header length 2^32', craft({}, new Uint8Array(0), 2n ** 32n), /header length 4294967296 exceeds the 100000000-byte limit/],
      ['header length just over the limit', craft({}, new Uint8Array(0), 100_000_001n), /exceeds the 100000000-byte limit/],
      ['header length at the limit, file short', craft({}, new Uint8Array(0), 100_000_000n), /runs past the end of the file/],
      ['unknown dtype', craft({ w: t('F128', [4], 0, 16) }, data16), /tensor 'w': unknown dtype 'F128'/],
      ['known but unreadable dtype', craft({ w: t('F8_E4M3', [16], 0, 16) }, data16), /tensor 'w' has dtype F8_E4M3, which perturbset cannot read/],
      ['offsets beyond the data', craft({ w: t('F32', [4], 0, 16), b: t('F32', [1], 16, 20) }, data16), /tensor 'b' has data_offsets \[16, 20\] beyond the 16-byte data buffer/],
      ['end before begin', craft({ w: t('F32', [0], 8, 4) }, data16), /data_offsets \[8, 4\] with end < begin/],
      ['span does not match the shape', craft({ w: t('F32', [3], 0, 16) }, data16), /shape \[3\] × F32 = 12 bytes but data_offsets \[0, 16\] span 16 bytes/],
      ['overlapping tensors', craft({ a: t('F32', [3], 0, 12), b: t('F32', [2], 8, 16) }, data16), /tensors 'a' \[0, 12\] and 'b' \[8, 16\] overlap/],
      ['a gap before a tensor', craft({ a: t('F32', [2], 0, 8), b: t('F32', [1], 12, 16) }, data16), /4 bytes before tensor 'b'/],
      ['negative shape', craft({ w: t('F32', [-4], 0, 16) }, data16), /shape\[0\] is -4, expected a non-negative integer/],
      ['offsets not integers', craft({ w: t('F32', [4], 0, 16.5) }, data16), /must be non-negative integers/],
      ['header is not JSON', craft('{"w": {', data16), /header is not valid JSON/],
      ['header is a JSON array', craft('[1, 2]'), /header must be a JSON object, got an array/],
      ['header is not UTF-8', craft('{}').map((b, i) => (i === 8 ? 0xff : b)), /header \(2 bytes\) is not valid UTF-8/],
      ['I64 value outside int32', craft({ n: t('I64', [1], 0, 8) }, Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0])), /tensor 'n' \(I64\) element 0 is 4294967296, outside the int32 range/],
    ];
    const tensorsBefore = ps.memory().tensors;
    const problems: string[] = [];
    for (const [what, bytes, pattern] of cases) {
      const t0 = performance.now();
      let message: string | null = null;
      try {
        const out = ps.io.loadSafetensors(bytes);
        for (const x of Object.values(out)) x.dispose();
      } catch (err) {
        message = err instanceof Error ? err.message : `a thrown ${typeof err}`;
      }
      const ms = performance.now() - t0;
      if (message === null) problems.push(`${what}: loaded without an error`);
      else if (!/^safetensors: /.test(message) || !pattern.test(message)) problems.push(`${what}: unexpected message ${JSON.stringify(message)}`);
      if (ms > 500) problems.push(`${what}: took ${ms.toFixed(0)} ms`);
    }
    expect(problems).toEqual([]);
    expect(ps.memory().tensors).toBe(tensorsBefore);
    expect(() => ps.io.loadSafetensors(good.buffer as unknown as Uint8Array)).toThrow(/loadSafetensors: expected a Uint8Array, got object/);
  });
});
