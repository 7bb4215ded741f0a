#!/usr/bin/env node
// Builds framekit's WebAssembly binaries into wasm/bin/, each module twice (SIMD and scalar):
//   pixels.{simd,scalar}.wasm    AssemblyScript, from wasm/index.ts
//   features.{simd,scalar}.wasm  Rust, from rust/ (Debian's rustc/cargo 1.63 with the wasm32 std)
// The memory layout comes from ts/memory/layout.ts, read here so the numbers live in one place.
// Usage: node wasm/build.mjs [--as] [--rust]   (both when neither is named)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'wasm', 'bin');
mkdirSync(out, { recursive: true });

const layoutSrc = readFileSync(join(root, 'ts', 'memory', 'layout.ts'), 'utf8');
const num = (key) => {
  const m = layoutSrc.match(new RegExp(`${key}:\\s*(0x[0-9a-fA-F]+|\\d+)`));
  if (!m) throw new Error(`layout.ts has no ${key}`);
  return Number(m[1]);
};
const asDataBase = num('asDataBase');
const rustStack = num('rustStackTop');

const args = new Set(process.argv.slice(2));
const all = !args.has('--as') && !args.has('--rust');
const run = (cmd, argv, env = {}, cwd = root) => execFileSync(cmd, argv, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });

if (all || args.has('--as')) {
  const asc = join(root, 'node_modules', '.bin', 'asc');
  const common = ['wasm/index.ts', '--importMemory', '--runtime', 'stub', '-O3', '--noAssert', '--memoryBase', String(asDataBase)];
  run(asc, [...common, '--enable', 'simd', '-o', 'wasm/bin/pixels.simd.wasm']);
  run(asc, [...common, '-o', 'wasm/bin/pixels.scalar.wasm']);
}

if (all || args.has('--rust')) {
  const link = `-C link-arg=--import-memory -C link-arg=-zstack-size=${rustStack}`;
  // Paths of this checkout must not leak into the binaries, or a build elsewhere would differ.
  const remap = `--remap-path-prefix=${root}=framekit`;
  // The SIMD build also takes bulk memory (memory.copy / memory.fill, in every engine with SIMD):
  // without it, copies and fills the compiler emits are calls to a byte-and-word loop.
  const builds = [
    ['simd', `-C target-feature=+simd128,+bulk-memory ${link} ${remap}`],
    ['scalar', `${link} ${remap}`],
  ];
  for (const [kind, flags] of builds) {
    // cargo reads rust/.cargo/config.toml (the wasm32 target) from its working directory.
    run('/usr/bin/cargo', ['build', '--release', '--target-dir', `target/${kind}`], { RUSTC: '/usr/bin/rustc', RUSTFLAGS: flags }, join(root, 'rust'));
    const dest = join(out, `features.${kind}.wasm`);
    copyFileSync(join(root, 'rust', 'target', kind, 'wasm32-unknown-unknown', 'release', 'framekit_features.wasm'), dest);
    // cargo marks its output executable; the committed binaries are plain files, and a mode change
    // alone would fail CI's comparison.
    chmodSync(dest, 0o644);
  }
}
