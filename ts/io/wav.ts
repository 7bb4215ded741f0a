import { FramekitError } from '../errors.js';
import type { SampleRing } from '../frame/sample-ring.js';
import type { AudioSource } from './audio.js';

/** What a WAV file's header says. */
export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: 8 | 16 | 24 | 32 | 64;
  /** Integer PCM or IEEE float samples. */
  encoding: 'pcm' | 'float';
  /** Bytes of one sample frame (every channel). */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of samples the header declares; null when it declares none (a WAV written to a pipe). */
  dataBytes: number | null;
  /** Sample frames the header declares (null as dataBytes). */
  frames: number | null;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 8;

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
}

/**
 * Parses a RIFF/WAVE header from the first bytes of a file (up to and including the `data` chunk's
 * header). Reads integer PCM of 8, 16, 24 or 32 bits and float of 32 or 64 bits, plain or
 * WAVE_FORMAT_EXTENSIBLE, 1 to 8 channels. E_DECODE for what is not a WAV or is cut short before
 * its samples start; E_FORMAT for a WAV whose sample format framekit does not read.
 */
export function parseWavHeader(head: Uint8Array, name = 'WAV'): WavInfo {
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 12 || fourcc(head, 0) !== 'RIFF' || fourcc(head, 8) !== 'WAVE')
    throw new FramekitError('E_DECODE', `${name}: not a RIFF/WAVE file`, { reason: 'not-wav' });
  let at = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames'> | null = null;
  while (at + 8 <= head.length) {
    const id = fourcc(head, at);
    const size = dv.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + 16 > head.length) break;
      let tag = dv.getUint16(body, true);
      const channels = dv.getUint16(body + 2, true);
      const sampleRate = dv.getUint32(body + 4, true);
      const blockAlign = dv.getUint16(body + 12, true);
      const bits = dv.getUint16(body + 14, true);
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 26 > head.length)
          throw new FramekitError('E_DECODE', `${name}: WAVE_FORMAT_EXTENSIBLE header is cut short`, { reason: 'truncated' });
        tag = dv.getUint16(body + 24, true); // the sub-format GUID starts with the format tag
      }
      const encoding = tag === WAVE_FORMAT_PCM ? 'pcm' : tag === WAVE_FORMAT_FLOAT ? 'float' : null;
      const okBits = encoding === 'pcm' ? [8, 16, 24, 32].includes(bits) : encoding === 'float' ? [32, 64].includes(bits) : false;
      if (!encoding || !okBits)
        throw new FramekitError(
          'E_FORMAT',
          `${name}: unsupported WAV sample format (tag ${tag}, ${bits} bits); framekit reads 8/16/24/32-bit PCM and 32/64-bit float`,
          {
            tag,
            bits,
          },
        );
      if (channels < 1 || channels > MAX_CHANNELS)
        throw new FramekitError('E_FORMAT', `${name}: ${channels} channels; framekit reads 1 to ${MAX_CHANNELS}`, { channels });
      if (sampleRate < 1) throw new FramekitError('E_DECODE', `${name}: sample rate 0`, { reason: 'bad-rate' });
      if (blockAlign !== channels * (bits / 8))
        throw new FramekitError('E_DECODE', `${name}: block align ${blockAlign} does not match ${channels} x ${bits} bits`, {
          reason: 'bad-align',
        });
      fmt = { sampleRate, channels, bitsPerSample: bits as WavInfo['bitsPerSample'], encoding, blockAlign };
    } else if (id === 'data') {
      if (!fmt) throw new FramekitError('E_DECODE', `${name}: data chunk before the fmt chunk`, { reason: 'no-fmt' });
      const dataBytes = size === 0xffffffff || size === 0 ? null : size - (size % fmt.blockAlign);
      return { ...fmt, dataOffset: body, dataBytes, frames: dataBytes === null ? null : dataBytes / fmt.blockAlign };
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new FramekitError('E_DECODE', `${name}: the header ends before the ${fmt ? 'data' : 'fmt'} chunk (truncated?)`, {
    reason: 'truncated',
  });
}

/**
 * Converts `frames` sample frames of `info`'s format from `src` to mono f32 (the mean of the
 * channels) into ring cells starting at index `w`. `src` starts 8-byte aligned.
 */
function convert(info: WavInfo, src: Uint8Array, frames: number, cells: Float32Array, w: number): void {
  const mask = cells.length - 1;
  const ch = info.channels;
  const inv = 1 / ch;
  const dv = new DataView(src.buffer, src.byteOffset, frames * info.blockAlign);
  switch (info.encoding === 'float' ? -info.bitsPerSample : info.bitsPerSample) {
    case 16: {
      const a = new Int16Array(src.buffer, src.byteOffset, frames * ch);
      for (let f = 0, i = 0; f < frames; f++) {
        let s = 0;
        for (let c = 0; c < ch; c++) s += a[i++]!;
        cells[(w + f) & mask] = s * inv * (1 / 32768);
      }
      return;
    }
    case -32: {
      const a = new Float32Array(src.buffer, src.byteOffset, frames * ch);
      for (let f = 0, i = 0; f < frames; f++) {
        let s = 0;
        for (let c = 0; c < ch; c++) s += a[i++]!;
        cells[(w + f) & mask] = s * inv;
      }
      return;
    }
    default:
      for (let f = 0, o = 0; f < frames; f++) {
        let s = 0;
        for (let c = 0; c < ch; c++, o += info.bitsPerSample / 8) s += sampleAt(dv, o, info);
        cells[(w + f) & mask] = s * inv;
      }
  }
}

function sampleAt(dv: DataView, o: number, info: WavInfo): number {
  switch (info.encoding === 'float' ? -info.bitsPerSample : info.bitsPerSample) {
    case 8:
      return (dv.getUint8(o) - 128) / 128;
    case 16:
      return dv.getInt16(o, true) / 32768;
    case 24:
      return (dv.getUint8(o) | (dv.getUint8(o + 1) << 8) | (dv.getInt8(o + 2) << 16) | 0) / 8388608;
    case 32:
      return dv.getInt32(o, true) / 2147483648;
    case -32:
      return dv.getFloat32(o, true);
    default:
      return dv.getFloat64(o, true);
  }
}

/** Sample frames read per block: 4096 (256 ms at 16 kHz). */
const BLOCK_FRAMES = 4096;

type Handle = import('node:fs/promises').FileHandle;

/**
 * A WAV file read by framekit itself, streamed: each `read` converts at most one block to mono f32
 * straight into the ring's cells (32-bit float mono is read from the file into the ring with no
 * conversion; anything else goes through one staging block of the reader's, made once). The file is
 * never held in memory. A file cut short of the size its header declares delivers every whole
 * sample frame it has, then the next `read` throws E_DECODE (reason 'truncated').
 */
export async function openWav(path: string): Promise<AudioSource & { readonly wav: WavInfo }> {
  const { open } = await import('node:fs/promises');
  let fh: Handle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  let wav: WavInfo;
  try {
    const head = new Uint8Array(1 << 16);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    wav = parseWavHeader(head.subarray(0, bytesRead), path);
  } catch (e) {
    await fh.close();
    throw e;
  }
  const direct = wav.encoding === 'float' && wav.bitsPerSample === 32 && wav.channels === 1;
  const staging = direct ? null : new Uint8Array(BLOCK_FRAMES * wav.blockAlign);
  let pos = wav.dataOffset;
  const end = wav.dataBytes === null ? Infinity : wav.dataOffset + wav.dataBytes;
  let delivered = 0;
  let done = false;
  let pending: FramekitError | null = null;
  const truncated = () =>
    new FramekitError('E_DECODE', `${path}: truncated: the header declares ${wav.frames} sample frames, the file holds ${delivered}`, {
      reason: 'truncated',
      declared: wav.frames,
      read: delivered,
    });

  async function read(ring: SampleRing): Promise<number> {
    if (pending) {
      const e = pending;
      pending = null;
      throw e;
    }
    if (done) return -1;
    const want = Math.min(BLOCK_FRAMES, ring.free, Math.floor((end - pos) / wav.blockAlign));
    if (want <= 0) {
      if (pos + wav.blockAlign <= end) return 0; // no room now
      done = true;
      return -1;
    }
    const w = ring.reserve(want);
    let got: number;
    if (staging === null) {
      // Straight into the ring: up to two spans of cell bytes.
      const bytes = ring.cellBytes;
      const start = (w & (ring.capacity - 1)) * 4;
      const first = Math.min(want * 4, bytes.length - start);
      got = await readSome(fh, bytes, start, first, pos);
      if (got === first && first < want * 4) got += await readSome(fh, bytes, 0, want * 4 - first, pos + first);
      got -= got % 4;
    } else {
      got = await readSome(fh, staging, 0, want * wav.blockAlign, pos);
      got -= got % wav.blockAlign;
      convert(wav, staging, got / wav.blockAlign, ring.cells, w);
    }
    const frames = got / wav.blockAlign;
    pos += got;
    delivered += frames;
    if (frames > 0) ring.commit(frames);
    if (frames < want) {
      done = true;
      // The whole frames read so far are in the ring; the next read reports the truncation.
      if (end !== Infinity) pending = truncated();
    }
    return frames;
  }

  return {
    wav,
    sampleRate: wav.sampleRate,
    startUs: 0,
    read,
    async close() {
      done = true;
      await fh.close();
    },
  };
}

/** Reads up to `length` bytes at `position`, looping over short reads; fewer only at end of file. */
async function readSome(fh: Handle, dst: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(dst, offset + got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Decodes a whole WAV held in memory to mono f32 (allocates the result: for tests and short clips,
 * not for streams). E_DECODE when the data is shorter than the header declares.
 */
export function decodeWav(bytes: Uint8Array, name = 'WAV'): { info: WavInfo; samples: Float32Array } {
  const info = parseWavHeader(bytes, name);
  const have = Math.floor((bytes.length - info.dataOffset) / info.blockAlign);
  const frames = info.frames ?? have;
  if (have < frames)
    throw new FramekitError('E_DECODE', `${name}: truncated: the header declares ${frames} sample frames, the data holds ${have}`, {
      reason: 'truncated',
      declared: frames,
      read: have,
    });
  // Aligned copy of the sample bytes so typed views can read them.
  const data = new Uint8Array(frames * info.blockAlign);
  data.set(bytes.subarray(info.dataOffset, info.dataOffset + data.length));
  let cap = 1;
  while (cap < frames) cap *= 2;
  const cells = new Float32Array(cap);
  convert(info, data, frames, cells, 0);
  return { info, samples: cells.subarray(0, frames) };
}
