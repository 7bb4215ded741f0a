// Seeded, repeatable mutations of real files: bit flips, truncation, extreme bytes, spliced or
// dropped chunks, and lies in the headers framekit reads (sizes zero, huge, or not what the data is).

/** mulberry32: a small seeded generator; the same seed gives the same cases on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Mutation = (src: Uint8Array, r: () => number) => { bytes: Uint8Array; kind: string };

const int = (r: () => number, n: number) => Math.floor(r() * n);

/** Places near the start are where the headers are: half the edits land in the first 64 bytes. */
const where = (r: () => number, n: number) => (r() < 0.5 ? int(r, Math.min(64, n)) : int(r, n));

export const flipBits: Mutation = (src, r) => {
  const b = new Uint8Array(src); // a copy with its own buffer (Buffer#slice would share the seed's)
  const n = 1 + int(r, 8);
  for (let i = 0; i < n; i++) b[where(r, b.length)]! ^= 1 << int(r, 8);
  return { bytes: b, kind: 'bit flips' };
};

export const extremeBytes: Mutation = (src, r) => {
  const b = new Uint8Array(src); // a copy with its own buffer (Buffer#slice would share the seed's)
  const n = 1 + int(r, 4);
  const v = [0, 0xff, 0x7f, 0x80, 0x30, 0x39][int(r, 6)]!;
  for (let i = 0; i < n; i++) b[where(r, b.length)] = v;
  return { bytes: b, kind: 'extreme bytes' };
};

export const truncate: Mutation = (src, r) => {
  const cut = r() < 0.3 ? int(r, Math.min(80, src.length)) : int(r, src.length);
  return { bytes: src.slice(0, cut), kind: 'truncation' };
};

export const splice: Mutation = (src, r) => {
  const at = where(r, src.length);
  const len = 1 + int(r, 256);
  if (r() < 0.5) {
    const drop = Math.min(len, src.length - at);
    const out = new Uint8Array(src.length - drop);
    out.set(src.subarray(0, at));
    out.set(src.subarray(at + drop), at);
    return { bytes: out, kind: 'dropped chunk' };
  }
  const from = int(r, src.length);
  const chunk = src.subarray(from, from + len);
  const out = new Uint8Array(src.length + chunk.length);
  out.set(src.subarray(0, at));
  out.set(chunk, at);
  out.set(src.subarray(at), at + chunk.length);
  return { bytes: out, kind: 'duplicated chunk' };
};

export const GENERIC: Mutation[] = [flipBits, extremeBytes, truncate, splice];

/** Sizes a lying header may claim: zero, one, odd, about right, huge, past 32 bits. */
export function lyingSize(r: () => number, honest: number): number {
  const choices = [0, 1, 3, honest - 1, honest + 1, honest * 2, 65535, 65536, 1 << 20, 0x7fffffff, 0xffffffff];
  return choices[int(r, choices.length)]! >>> 0;
}

// PNG chunks carry a CRC; a lie in IHDR must carry a valid CRC to get past the decoder's check and
// reach the size it claims.
const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG whose IHDR claims another width or height (or bit depth, colour type), CRC fixed. */
export const pngLyingHeader: Mutation = (src, r) => {
  const b = new Uint8Array(src); // a copy with its own buffer (Buffer#slice would share the seed's)
  // A case that stacks mutations may hand over a file already truncated before the IHDR's CRC.
  if (b.length < 33) return { bytes: b, kind: 'lying header (too short)' };
  const dv = new DataView(b.buffer);
  // IHDR data starts at 16: width (4), height (4), depth, colour, compression, filter, interlace.
  const field = int(r, 4);
  if (field === 0) dv.setUint32(16, lyingSize(r, dv.getUint32(16)));
  else if (field === 1) dv.setUint32(20, lyingSize(r, dv.getUint32(20)));
  else if (field === 2) b[24] = [0, 1, 2, 4, 8, 16, 3, 255][int(r, 8)]!;
  else b[25] = [0, 1, 2, 3, 4, 5, 6, 7, 255][int(r, 9)]!;
  dv.setUint32(29, crc32(b.subarray(12, 29)));
  return { bytes: b, kind: 'lying header' };
};

/** A JPEG whose SOF0/SOF2 frame header claims another height or width. */
export const jpegLyingHeader: Mutation = (src, r) => {
  const b = new Uint8Array(src); // a copy with its own buffer (Buffer#slice would share the seed's)
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
      const dv = new DataView(b.buffer);
      const at = r() < 0.5 ? i + 5 : i + 7;
      dv.setUint16(at, lyingSize(r, dv.getUint16(at)) & 0xffff);
      return { bytes: b, kind: 'lying header' };
    }
  }
  return { bytes: b, kind: 'lying header (no SOF)' };
};

/** Rewrites a text header's numbers (PNM, Y4M): `re` finds them; each may become a lie. */
export function textHeaderLie(re: RegExp, headerBytes = 64): Mutation {
  return (src, r) => {
    const head = new TextDecoder('latin1').decode(src.subarray(0, headerBytes));
    const lied = head.replace(re, (m, ...g: unknown[]) => {
      if (r() < 0.5) return m;
      const n = Number(g[0]);
      const v = [0, 1, n + 1, n * 4, 99999, 4294967296, -1][int(r, 7)]!;
      return m.replace(String(g[0]), String(v));
    });
    const enc = Uint8Array.from(lied, (c) => c.charCodeAt(0) & 0xff);
    const out = new Uint8Array(enc.length + src.length - Math.min(headerBytes, src.length));
    out.set(enc);
    out.set(src.subarray(headerBytes), enc.length);
    return { bytes: out, kind: 'lying header' };
  };
}

/** Valid JSON of the wrong shape or with hostile values: what a careless tool might write. */
export const jsonLie: Mutation = (src, r) => {
  let data: Array<Record<string, unknown>>;
  try {
    data = JSON.parse(new TextDecoder().decode(src)) as Array<Record<string, unknown>>;
    if (!Array.isArray(data) || !data.every((p) => p !== null && typeof p === 'object')) throw new Error('shape');
  } catch {
    return { bytes: src, kind: 'unchanged (not a point array)' };
  }
  const values: unknown[] = [null, '1', 1e300, -1e300, -0, 0.5, [], {}, true, 'NaN', 2 ** 53 + 1, -7];
  const pick = () => values[int(r, values.length)];
  const k = int(r, 6);
  let out: unknown = data;
  if (k === 0 && data.length) data[int(r, data.length)]![r() < 0.5 ? 'x' : 'y'] = pick();
  else if (k === 1 && data.length) delete data[int(r, data.length)]![r() < 0.5 ? 'x' : 'y'];
  else if (k === 2) data.push({ x: 1e308 * (r() < 0.5 ? 1 : -1), y: 0, extra: 'ignored' });
  else if (k === 3) out = { points: data };
  else if (k === 4) out = data.map((p) => [p.x, p.y]);
  else for (let i = 0; i < 1 + int(r, 4); i++) data.push({ x: r() * 4000 - 1000, y: r() * 4000 - 1000 });
  return { bytes: new TextEncoder().encode(JSON.stringify(out)), kind: 'valid JSON, hostile values' };
};

/**
 * A safetensors file whose header tells a lie the JSON still parses: a dtype, shape, offset or
 * metadata value changed, a tensor dropped or duplicated, or the 8-byte length changed. A file whose
 * header no longer parses is returned with only its length field changed.
 */
export const safetensorsLie: Mutation = (src, r) => {
  const b = new Uint8Array(src);
  if (b.length < 8) return { bytes: b, kind: 'safetensors lie (too short)' };
  const dv = new DataView(b.buffer);
  const n = Number(dv.getBigUint64(0, true));
  let header: Record<string, Record<string, unknown>>;
  try {
    header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))) as typeof header;
    if (header === null || typeof header !== 'object') throw new Error('shape');
  } catch {
    dv.setBigUint64(0, BigInt(lyingSize(r, n)), true);
    return { bytes: b, kind: 'safetensors lie (length)' };
  }
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const t = names.length ? header[names[int(r, names.length)]!] : undefined;
  const pickNumber = (v: number) => [0, 1, -1, v + 1, v - 1, v * 2, 0.5, 2 ** 53, 2 ** 32 + 1, 1e300][int(r, 10)]!;
  const k = int(r, 8);
  let kind = 'safetensors lie';
  if (k === 0 && t) {
    t.dtype = ['F32', 'F16', 'U8', 'F64', 'F128', 'f32', '', 7, null][int(r, 9)];
    kind += ' (dtype)';
  } else if (k === 1 && t && Array.isArray(t.shape)) {
    const s = t.shape as unknown[];
    if (s.length && r() < 0.7) s[int(r, s.length)] = pickNumber(Number(s[0]));
    else if (r() < 0.5) s.push(2);
    else s.pop();
    kind += ' (shape)';
  } else if ((k === 2 || k === 3) && t && Array.isArray(t.data_offsets)) {
    const o = t.data_offsets as number[];
    const i = int(r, 2);
    o[i] = pickNumber(o[i]!);
    kind += ' (offsets)';
  } else if (k === 4 && names.length) {
    delete header[names[int(r, names.length)]!];
    kind += ' (tensor dropped)';
  } else if (k === 5 && t) {
    header[`copy${int(r, 100)}`] = { ...t };
    kind += ' (tensor duplicated)';
  } else if (k === 6) {
    header.__metadata__ = [{ a: 'b' }, { a: 1 }, 'x', null, []][int(r, 5)] as Record<string, unknown>;
    kind += ' (metadata)';
  } else {
    dv.setBigUint64(0, BigInt(lyingSize(r, n)), true);
    return { bytes: b, kind: 'safetensors lie (length)' };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + b.length - 8 - Math.min(n, b.length - 8));
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(b.subarray(8 + Math.min(n, b.length - 8)), 8 + json.length);
  return { bytes: out, kind };
};
