// Longer fuzzing runs than CI's: `bun test/fuzz/run.ts [--cases 5000] [--seed N] [--out FILE]`.
// Prints outcomes by type per target; writes them as JSON; exits 1 if any case failed (each failing
// case number replays alone with --seed CASE --cases 1).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createFramekit } from '../../ts/index.js';
import { fuzz, targets } from './targets.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '5000' },
    seed: { type: 'string', default: String(0x5eed0000) },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});
const fk = await createFramekit({ maxWidth: 1024, maxHeight: 1024, frames: 1, scratchBytes: 1 << 20 });
const all = targets().filter((t) => !values.only || t.name === values.only);
const reports = [];
for (const t of all) {
  const r = await fuzz(t, fk, Number(values.cases), Number(values.seed));
  console.log(
    `${t.name.padEnd(12)} ${r.cases} cases  ${JSON.stringify(r.outcomes)}  slowest ${r.maxCaseMs} ms  failures ${r.failures.length}`,
  );
  for (const f of r.failures.slice(0, 10)) console.log(`  case ${f.case} (${f.kind}): ${f.outcome} ${f.message}`);
  reports.push(r);
}
all[0]?.cleanup();
const doc = {
  what: 'seeded fuzzing of framekit decoders and parsers',
  command: `bun test/fuzz/run.ts --cases ${values.cases} --seed ${values.seed}`,
  date: new Date().toISOString(),
  runtime: `bun ${process.versions.bun}`,
  reports,
};
if (values.out) writeFileSync(values.out, JSON.stringify(doc, null, 2) + '\n');
process.exitCode = reports.some((r) => r.failures.length) ? 1 : 0;
