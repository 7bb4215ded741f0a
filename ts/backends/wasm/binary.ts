/**
 * Just enough of the WebAssembly binary format to read and patch what framekit's loader and layout
 * tests need: the memory import's limits and the extents of active data segments.
 * Reference: WebAssembly core specification, section 5 (binary format).
 */
import { FramekitError } from '../../errors.js';

export interface MemoryLimits {
  initial: number;
  maximum?: number;
  shared: boolean;
}

export interface DataExtent {
  offset: number;
  size: number;
}

interface Section {
  id: number;
  /** Offset of the section's id byte. */
  start: number;
  /** Offset of the section's content. */
  content: number;
  /** Offset one past the section's end. */
  end: number;
}

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new FramekitError('E_WASM', 'truncated WebAssembly module');
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new FramekitError('E_WASM', 'malformed LEB128 in WebAssembly module');
    }
  }
  /** A signed LEB128 i32 (constant expressions use it). */
  i32(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    if (shift < 32 && b & 0x40) result |= -1 << shift;
    return result;
  }
  skip(n: number): void {
    this.pos += n;
  }
  name(): void {
    this.skip(this.u32());
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    const initial = this.u32();
    const maximum = flags & 1 ? this.u32() : undefined;
    return maximum === undefined ? { initial, shared: (flags & 2) !== 0 } : { initial, maximum, shared: (flags & 2) !== 0 };
  }
}

function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new FramekitError('E_WASM', 'not a WebAssembly module (bad magic)');
  }
  const r = new Reader(bytes, 8);
  const out: Section[] = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start, content: r.pos, end: r.pos + size });
    r.skip(size);
  }
  return out;
}

function encodeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Finds the `env.memory` import: the byte range of its limits and their values, or null. */
function findMemoryImport(bytes: Uint8Array): { section: Section; limitsStart: number; limitsEnd: number; limits: MemoryLimits } | null {
  const section = sections(bytes).find((s) => s.id === 2);
  if (!section) return null;
  const r = new Reader(bytes, section.content);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) r.u32();
    else if (kind === 1) {
      r.byte();
      r.limits();
    } else if (kind === 2) {
      const limitsStart = r.pos;
      const limits = r.limits();
      return { section, limitsStart, limitsEnd: r.pos, limits };
    } else if (kind === 3) r.skip(2);
    else throw new FramekitError('E_WASM', `unknown import kind ${kind}`);
  }
  return null;
}

/** The limits the module declares for its imported memory, or null when it imports none. */
export function readMemoryImport(bytes: Uint8Array): MemoryLimits | null {
  return findMemoryImport(bytes)?.limits ?? null;
}

/**
 * Returns a copy of `bytes` whose memory import declares `limits`. The loader uses it to import a
 * shared memory into a module built against a plain one: the code is the same, only the declared
 * type of the import changes (a shared memory needs a maximum).
 */
export function patchMemoryImport(bytes: Uint8Array, limits: MemoryLimits): Uint8Array {
  const found = findMemoryImport(bytes);
  if (!found) throw new FramekitError('E_WASM', 'module imports no memory');
  const flags = (limits.maximum !== undefined ? 1 : 0) | (limits.shared ? 2 : 0);
  const enc = [flags, ...encodeU32(limits.initial), ...(limits.maximum !== undefined ? encodeU32(limits.maximum) : [])];
  const { section, limitsStart, limitsEnd } = found;
  const newContentLen = section.end - section.content - (limitsEnd - limitsStart) + enc.length;
  const header = [2, ...encodeU32(newContentLen)];
  const out = new Uint8Array(bytes.length - (section.end - section.start) + header.length + newContentLen);
  let o = 0;
  out.set(bytes.subarray(0, section.start), o);
  o += section.start;
  out.set(header, o);
  o += header.length;
  out.set(bytes.subarray(section.content, limitsStart), o);
  o += limitsStart - section.content;
  out.set(enc, o);
  o += enc.length;
  out.set(bytes.subarray(limitsEnd), o);
  return out;
}

/** The [offset, offset + size) ranges of the module's active data segments in memory 0. */
export function readDataExtents(bytes: Uint8Array): DataExtent[] {
  const section = sections(bytes).find((s) => s.id === 11);
  if (!section) return [];
  const r = new Reader(bytes, section.content);
  const count = r.u32();
  const out: DataExtent[] = [];
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags === 1) {
      r.skip(r.u32());
      continue;
    }
    if (flags === 2) r.u32();
    const op = r.byte();
    if (op !== 0x41) throw new FramekitError('E_WASM', `data segment offset is not an i32.const (opcode ${op})`);
    const offset = r.i32();
    if (r.byte() !== 0x0b) throw new FramekitError('E_WASM', 'malformed data segment offset');
    const size = r.u32();
    r.skip(size);
    out.push({ offset, size });
  }
  return out;
}

/**
 * Returns a copy of `bytes` that also exports the module's stack pointer as `__stack_pointer`, or
 * `bytes` itself when it has none to export. For LLVM-built modules (our Rust crate): their shadow
 * stack lives in linear memory, and its pointer is the first global the module defines (a mutable
 * i32; LLVM's `__stack_pointer`). On a shared memory every thread's instance starts with the same
 * pointer, so two threads calling Rust at once would push frames onto the same bytes; a worker sets
 * the exported global to a stack region of its own right after instantiating.
 */
export function exportStackPointer(bytes: Uint8Array): Uint8Array {
  const all = sections(bytes);
  const imports = all.find((s) => s.id === 2);
  const globals = all.find((s) => s.id === 6);
  const exports = all.find((s) => s.id === 7);
  if (!globals || !exports) return bytes;
  let importedGlobals = 0;
  if (imports) {
    const r = new Reader(bytes, imports.content);
    for (let i = 0, n = r.u32(); i < n; i++) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) r.u32();
      else if (kind === 1) {
        r.byte();
        r.limits();
      } else if (kind === 2) r.limits();
      else {
        r.skip(2);
        importedGlobals++;
      }
    }
  }
  const g = new Reader(bytes, globals.content);
  // The first defined global must be `(mut i32) (i32.const N)`.
  if (g.u32() < 1 || g.byte() !== 0x7f || g.byte() !== 0x01 || g.byte() !== 0x41) return bytes;
  const r = new Reader(bytes, exports.content);
  const count = r.u32();
  const entriesStart = r.pos;
  for (let i = 0; i < count; i++) {
    const len = r.u32();
    const name = new TextDecoder().decode(bytes.subarray(r.pos, r.pos + len));
    r.skip(len);
    r.byte();
    r.u32();
    if (name === '__stack_pointer') return bytes;
  }
  const name = new TextEncoder().encode('__stack_pointer');
  const entry = [...encodeU32(name.length), ...name, 0x03, ...encodeU32(importedGlobals)];
  const countEnc = encodeU32(count + 1);
  const contentLen = countEnc.length + (exports.end - entriesStart) + entry.length;
  const header = [7, ...encodeU32(contentLen)];
  const out = new Uint8Array(bytes.length - (exports.end - exports.start) + header.length + contentLen);
  let o = 0;
  out.set(bytes.subarray(0, exports.start), o);
  o += exports.start;
  out.set(header, o);
  o += header.length;
  out.set(countEnc, o);
  o += countEnc.length;
  out.set(bytes.subarray(entriesStart, exports.end), o);
  o += exports.end - entriesStart;
  out.set(entry, o);
  o += entry.length;
  out.set(bytes.subarray(exports.end), o);
  return out;
}
