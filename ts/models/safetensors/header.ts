import { FramekitError } from '../../errors.js';

/**
 * The safetensors header, as the format's reference implementation (the Rust `safetensors` crate)
 * defines and checks it:
 *
 *   bytes 0..8        N, the header's length, unsigned 64-bit little-endian
 *   bytes 8..8+N      a UTF-8 JSON object starting with `{` (trailing spaces allowed): tensor name ->
 *                     { dtype, shape, data_offsets: [begin, end] }, and an optional `__metadata__`
 *                     map of string -> string
 *   bytes 8+N..       the data section; offsets are relative to its start
 *
 * The tensors, sorted by offset, must tile the data section exactly: each begins where the previous
 * ended (no gap, no overlap), each spans product(shape) x dtype size bytes, and the last ends at the
 * end of the file.
 */

/** Element types the format defines, with their size in bits (sub-byte types pack several per byte). */
export const DTYPE_BITS = {
  BOOL: 8,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  F64: 64,
  I64: 64,
  U64: 64,
  C64: 64,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
} as const;

export type Dtype = keyof typeof DTYPE_BITS;

/** Which check a malformed file failed (`details.reason` of its E_TENSOR_FILE error). */
export type HeaderFault =
  | 'header-length' // N is zero, or 8 + N lies past the end of the file (or the file is under 8 bytes)
  | 'header-too-large' // N above the limit (100 MB unless set)
  | 'header-start' // the header does not begin with `{`
  | 'json' // not UTF-8 JSON, or not a JSON object
  | 'entry' // a tensor entry is not { dtype: string, shape: array, data_offsets: [2] }
  | 'dtype' // a dtype the format does not define
  | 'shape' // a dimension that is not a non-negative safe integer, or a size past 2^53 bytes
  | 'offsets' // data_offsets not safe integers, or begin > end
  | 'bounds' // data_offsets end past the end of the file
  | 'size' // end - begin differs from product(shape) x dtype size (or a sub-byte tensor ends mid-byte)
  | 'overlap' // a tensor begins before the previous one ends
  | 'gap' // a tensor begins after the previous one ends (bytes no tensor owns)
  | 'incomplete' // the tensors end before or after the end of the file
  | 'metadata'; // __metadata__ is not a map of strings

/** One tensor as the header describes it; offsets are absolute (from the start of the file). */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Elements: the product of `shape` (1 for a scalar). */
  readonly elements: number;
  /** First byte in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface SafetensorsHeader {
  /** The tensors in file order (by offset). */
  readonly tensors: readonly TensorInfo[];
  readonly byName: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** Header length N (the JSON bytes, padding included). */
  readonly headerBytes: number;
  /** First byte of the data section: 8 + N. */
  readonly dataStart: number;
}

/** The upstream limit on N (the Rust crate's MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

function fault(reason: HeaderFault, message: string, details: Record<string, unknown> = {}): never {
  throw new FramekitError('E_TENSOR_FILE', `not a valid safetensors file: ${message}`, { reason, ...details });
}

/**
 * Reads N from the first 8 bytes and checks it against the file's size and the limit. Returns N as a
 * number (a length past 2^53 is past any limit, and refused).
 */
export function headerLength(first8: Uint8Array, fileSize: number, maxHeaderBytes = MAX_HEADER_BYTES): number {
  if (fileSize < 8 || first8.length < 8)
    fault('header-length', `${fileSize} bytes is too short for the 8-byte header length`, { fileSize });
  const dv = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  // Compared in two halves so that no length, however large, is rounded before the check.
  if (hi > 0 || lo > maxHeaderBytes) {
    fault('header-too-large', `header length ${hi * 2 ** 32 + lo} is over the limit of ${maxHeaderBytes} bytes`, {
      headerBytes: hi * 2 ** 32 + lo,
      limit: maxHeaderBytes,
    });
  }
  if (lo === 0) fault('header-length', 'header length is 0', { headerBytes: 0 });
  if (8 + lo > fileSize)
    fault('header-length', `header length ${lo} runs past the end of the ${fileSize}-byte file`, { headerBytes: lo, fileSize });
  return lo;
}

const isSafeCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses and checks the header JSON (`json`: bytes 8..8+N of a file of `fileSize` bytes). Every
 * malformed header throws E_TENSOR_FILE with `details.reason` (a HeaderFault) and, where there is
 * one, `details.tensor`. Allocates (the parsed header): call at open.
 */
export function parseHeader(json: Uint8Array, fileSize: number): SafetensorsHeader {
  const headerBytes = json.length;
  const dataStart = 8 + headerBytes;
  if (json[0] !== 0x7b) fault('header-start', `the header must begin with '{', found byte ${json[0]}`);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    fault('json', `the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fault('json', 'the header is not a JSON object');

  let metadata: Record<string, string> = {};
  const list: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(doc as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(entry);
      continue;
    }
    list.push(checkEntry(name, entry, dataStart, fileSize));
  }

  // Sorted by (begin, end) the tensors must tile the data section: begin == the previous end.
  list.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let at = dataStart;
  for (const t of list) {
    if (t.offset < at) fault('overlap', `tensor ${JSON.stringify(t.name)} begins inside the tensor before it`, { tensor: t.name });
    if (t.offset > at)
      fault('gap', `${t.offset - at} bytes before tensor ${JSON.stringify(t.name)} belong to no tensor`, { tensor: t.name });
    at = t.offset + t.byteLength;
  }
  if (at !== fileSize) {
    fault('incomplete', `the tensors end at byte ${at} but the file has ${fileSize} bytes`, { dataEnd: at, fileSize });
  }
  const byName = new Map<string, TensorInfo>();
  for (const t of list) byName.set(t.name, t);
  return { tensors: list, byName, metadata, headerBytes, dataStart };
}

function checkMetadata(entry: unknown): Record<string, string> {
  if (entry === null) return {};
  if (typeof entry !== 'object' || Array.isArray(entry)) fault('metadata', '__metadata__ is not a JSON object');
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string') fault('metadata', `__metadata__.${k} is not a string`, { key: k });
    out[k] = v;
  }
  return out;
}

function checkEntry(name: string, entry: unknown, dataStart: number, fileSize: number): TensorInfo {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    Array.isArray(e) ||
    typeof e.dtype !== 'string' ||
    !Array.isArray(e.shape) ||
    !Array.isArray(e.data_offsets) ||
    e.data_offsets.length !== 2
  ) {
    fault('entry', `tensor ${JSON.stringify(name)} is not { dtype, shape, data_offsets: [begin, end] }`, { tensor: name });
  }
  if (!Object.prototype.hasOwnProperty.call(DTYPE_BITS, e.dtype)) {
    fault('dtype', `tensor ${JSON.stringify(name)} has unknown dtype ${JSON.stringify(e.dtype)}`, { tensor: name, dtype: e.dtype });
  }
  const dtype = e.dtype as Dtype;
  let elements = 1;
  for (const d of e.shape as unknown[]) {
    if (!isSafeCount(d)) fault('shape', `tensor ${JSON.stringify(name)} has dimension ${JSON.stringify(d)}`, { tensor: name });
    elements *= d;
    // Past 2^53 the product is no longer exact; no file that large exists.
    if (elements * DTYPE_BITS[dtype] > Number.MAX_SAFE_INTEGER)
      fault('shape', `tensor ${JSON.stringify(name)} is too large`, { tensor: name });
  }
  const [begin, end] = e.data_offsets as unknown[];
  if (!isSafeCount(begin) || !isSafeCount(end) || begin > end) {
    fault('offsets', `tensor ${JSON.stringify(name)} has data_offsets ${JSON.stringify(e.data_offsets)}`, { tensor: name });
  }
  if (dataStart + end > fileSize) {
    fault('bounds', `tensor ${JSON.stringify(name)} ends at byte ${dataStart + end}, past the end of the ${fileSize}-byte file`, {
      tensor: name,
      end: dataStart + end,
      fileSize,
    });
  }
  const bits = elements * DTYPE_BITS[dtype];
  if (bits % 8 !== 0 || end - begin !== bits / 8) {
    fault(
      'size',
      `tensor ${JSON.stringify(name)} spans ${end - begin} bytes but ${dtype} x [${(e.shape as number[]).join(', ')}] is ${bits / 8}`,
      {
        tensor: name,
      },
    );
  }
  return { name, dtype, shape: e.shape as number[], elements, offset: dataStart + begin, byteLength: end - begin };
}
