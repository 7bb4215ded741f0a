/**
 * Lazy weights, measured: a generated 256 MiB safetensors file (64 F32 tensors of 4 MiB, written in
 * 4 MiB chunks to a temporary folder, never committed) opened by the safetensors reader; bytes read
 * and resident memory (RSS) after opening, after one 4 MiB tensor, and after all of them, each read
 * source in its own fresh process (so one's pages do not count in another's RSS). A tensor counts as
 * used when every element has been summed (a mapping's pages are read in only when touched).
 *
 * Sources: Bun: Bun.mmap (the default for a path) and positional reads; Node: positional reads.
 * Uses: every tensor held as read (mapped views or read buffers), or each copied into one 5 MiB
 * arena in turn (`toArena`), used and freed: what a WASM kernel consuming weights one at a time does.
 * The file is written just before the runs, so it sits in the page cache: the times are memory, not
 * disk, speed (RSS and bytes read do not depend on that).
 *
 *   bun bench/safetensors.ts [--out bench/results/safetensors-bun.json]
 *   npm run build:ts && node dist/bench/safetensors.js [--out bench/results/safetensors-node.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createFramekit } from '../ts/index.js';
import { SafetensorsFile } from '../ts/models/safetensors/file.js';

const TENSORS = 64;
const TENSOR_BYTES = 4 << 20;
const MiB = 1 << 20;

interface Phase {
  phase: 'before open' | 'after open' | 'after one tensor' | 'after all tensors';
  bytesRead: number;
  rssMiB: number;
  ms: number;
}

interface ModeResult {
  source: string;
  /** 'held': every tensor kept as read (views or buffers); 'arena': each copied into one arena region in turn, used, freed. */
  use: 'held' | 'arena';
  fileBytes: number;
  phases: Phase[];
  /** Sum of every element read, the same in every mode (the reads are real). */
  checksum: number;
}

/** Writes the file in 4 MiB chunks (a different seeded fill per tensor); returns its size. */
function generate(path: string): number {
  const header: Record<string, unknown> = { __metadata__: { generated: 'bench/safetensors.ts' } };
  for (let i = 0; i < TENSORS; i++) {
    header[`layer${String(i).padStart(2, '0')}.weight`] = {
      dtype: 'F32',
      shape: [1024, 1024],
      data_offsets: [i * TENSOR_BYTES, (i + 1) * TENSOR_BYTES],
    };
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // the data section 8-byte aligned, as writers do
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(new TextEncoder().encode(json), 8);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    const chunk = new Float32Array(TENSOR_BYTES / 4);
    for (let i = 0; i < TENSORS; i++) {
      for (let k = 0; k < chunk.length; k++) chunk[k] = ((k * 31 + i * 7) % 1000) / 1000;
      writeSync(fd, new Uint8Array(chunk.buffer));
    }
  } finally {
    closeSync(fd);
  }
  return head.length + TENSORS * TENSOR_BYTES;
}

const rssMiB = () => +(process.memoryUsage().rss / MiB).toFixed(1);

function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** One source in this process: the phases in order. */
async function measure(path: string, mmap: boolean, arena: boolean): Promise<ModeResult> {
  // Made before the first mark, so that its memory is in every phase's RSS alike.
  const fk = arena ? await createFramekit({ arenaBytes: TENSOR_BYTES + MiB, backend: 'reference' }) : null;
  const phases: Phase[] = [];
  let t = performance.now();
  const mark = (phase: Phase['phase'], bytesRead: number) => {
    const now = performance.now();
    phases.push({ phase, bytesRead, rssMiB: rssMiB(), ms: +(now - t).toFixed(2) });
    t = performance.now();
  };
  mark('before open', 0);
  const f = await SafetensorsFile.open(path, { mmap });
  mark('after open', f.bytesRead);
  const held: Float32Array[] = [];
  let checksum = 0;
  const use = async (name: string) => {
    if (!fk) {
      const a = (await f.array(name)) as Float32Array;
      checksum += sum(a);
      held.push(a);
      return;
    }
    const t = await f.toArena(fk.context, name);
    checksum += sum(t.data as Float32Array);
    f.free(fk.context, t);
  };
  await use(f.tensors[0]!.name);
  mark('after one tensor', f.bytesRead);
  for (const info of f.tensors.slice(1)) await use(info.name);
  mark('after all tensors', f.bytesRead);
  const result: ModeResult = {
    source: f.source.kind,
    use: fk ? 'arena' : 'held',
    fileBytes: f.source.size,
    phases,
    checksum: +checksum.toFixed(3),
  };
  await f.close();
  return result;
}

const { values } = parseArgs({
  options: {
    child: { type: 'string' },
    mmap: { type: 'boolean', default: false },
    arena: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

if (values.child) {
  // One measurement, in a fresh process; the parent reads the JSON line.
  process.stdout.write(JSON.stringify(await measure(values.child, values.mmap, values.arena)) + '\n');
} else {
  const bun = (process.versions as { bun?: string }).bun;
  const dir = mkdtempSync(join(tmpdir(), 'fk-st-bench-'));
  try {
    const path = join(dir, 'generated-256mib.safetensors');
    const size = generate(path);
    const self = fileURLToPath(import.meta.url);
    const modes = [...(bun ? [['--mmap'], ['--mmap', '--arena']] : []), [], ['--arena']];
    const runs: ModeResult[] = [];
    for (const flags of modes) {
      const r = spawnSync(process.execPath, [self, '--child', path, ...flags], { encoding: 'utf8', timeout: 300_000 });
      if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as ModeResult;
      runs.push(res);
      console.log(`${bun ? 'bun' : 'node'} ${res.source}, tensors ${res.use} (file ${(size / MiB).toFixed(2)} MiB):`);
      for (const p of res.phases) {
        console.log(
          `  ${p.phase.padEnd(18)} read ${(p.bytesRead / MiB).toFixed(3).padStart(8)} MiB  RSS ${String(p.rssMiB).padStart(7)} MiB  ${String(p.ms).padStart(8)} ms`,
        );
      }
    }
    const doc = {
      what: 'lazy safetensors reads: bytes read and RSS after open, after one 4 MiB tensor, after all 64 (256 MiB file), each source in a fresh process; tensors held as read, or each copied into one arena region in turn',
      command: bun
        ? 'bun bench/safetensors.ts --out bench/results/safetensors-bun.json'
        : 'node dist/bench/safetensors.js --out bench/results/safetensors-node.json',
      date: new Date().toISOString(),
      runtime: bun ? `bun ${bun}` : `node ${process.versions.node}`,
      cpu: `${cpus()[0]?.model ?? 'unknown'} x ${cpus().length}`,
      fileBytes: size,
      tensors: TENSORS,
      tensorBytes: TENSOR_BYTES,
      note: 'the file is generated just before the runs and sits in the page cache; a mapping counts its touched file pages in RSS',
      runs,
    };
    if (values.out) writeFileSync(values.out, JSON.stringify(doc, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
