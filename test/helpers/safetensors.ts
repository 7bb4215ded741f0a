// A small safetensors writer for tests, benches and fuzz seeds (allocates; not library code): the
// valid files are generated here, and `rawFile` builds any header, valid or not, around any data.
import { DTYPE_BITS, type Dtype } from '../../ts/models/safetensors/header.js';
import { rng } from '../fuzz/mutate.js';

export interface TensorSpec {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** The bytes (default: seeded random bytes of the right size). */
  data?: Uint8Array;
}

/** Bytes one tensor of `dtype` and `shape` takes. */
export function tensorBytes(dtype: Dtype, shape: number[]): number {
  return (shape.reduce((a, b) => a * b, 1) * DTYPE_BITS[dtype]) / 8;
}

/**
 * A valid file: the tensors one after another in the given order, the header padded with spaces so
 * the data section starts at a multiple of `align` (8 by default; 1 leaves it unpadded).
 */
export function writeSafetensors(
  tensors: TensorSpec[],
  o: { metadata?: Record<string, string>; align?: number; seed?: number } = {},
): Uint8Array {
  const r = rng(o.seed ?? 7);
  const datas = tensors.map((t) => {
    const n = tensorBytes(t.dtype, t.shape);
    if (t.data) {
      if (t.data.length !== n) throw new Error(`tensor ${t.name}: ${t.data.length} bytes given, ${n} needed`);
      return t.data;
    }
    const d = new Uint8Array(n);
    for (let i = 0; i < n; i++) d[i] = Math.floor(r() * 256);
    return d;
  });
  const header: Record<string, unknown> = {};
  if (o.metadata) header.__metadata__ = o.metadata;
  let at = 0;
  tensors.forEach((t, i) => {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + datas[i]!.length] };
    at += datas[i]!.length;
  });
  const data = new Uint8Array(at);
  let o2 = 0;
  for (const d of datas) {
    data.set(d, o2);
    o2 += d.length;
  }
  return rawFile(JSON.stringify(header), data, { align: o.align ?? 8 });
}

/** Any header text around any data: `length` overrides the 8-byte length field; `align` pads the header with spaces. */
export function rawFile(json: string | Uint8Array, data: Uint8Array, o: { length?: bigint; align?: number } = {}): Uint8Array {
  let text = typeof json === 'string' ? new TextEncoder().encode(json) : json;
  const align = o.align ?? 1;
  const pad = (align - ((8 + text.length) % align)) % align;
  if (pad) {
    const t = new Uint8Array(text.length + pad).fill(0x20);
    t.set(text);
    text = t;
  }
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, o.length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** The header of a file written here, as an object (to edit and rewrite with `rawFile`). */
export function headerOf(file: Uint8Array): { json: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { json: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Record<string, unknown>, data: file.subarray(8 + n) };
}

/** A handful of tensors of mixed dtypes and shapes (scalar, empty, odd sizes, sub-byte). */
export const MIXED: TensorSpec[] = [
  { name: 'conv.weight', dtype: 'F32', shape: [4, 3, 3, 3] },
  { name: 'conv.bias', dtype: 'F32', shape: [4] },
  { name: 'embed', dtype: 'F16', shape: [5, 7] },
  { name: 'bf', dtype: 'BF16', shape: [3] },
  { name: 'ids', dtype: 'I64', shape: [6] },
  { name: 'mask', dtype: 'BOOL', shape: [9] },
  { name: 'scale', dtype: 'F64', shape: [] },
  { name: 'empty', dtype: 'F32', shape: [0, 4] },
  { name: 'q8', dtype: 'I8', shape: [13] },
  { name: 'u16', dtype: 'U16', shape: [2, 3] },
  { name: 'i32', dtype: 'I32', shape: [3, 1] },
  { name: 'packed4', dtype: 'F4', shape: [6] },
];
