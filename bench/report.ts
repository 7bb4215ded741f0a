import type { BenchReport } from './index.js';
import type { BenchRow } from './harness.js';

/** Bar colours per implementation, fixed so charts compare at a glance. */
const COLOURS: Record<string, string> = {
  memcpy: '#9e9e9e',
  'memcpy-all': '#cfcfcf',
  reference: '#e57373',
  'wasm-scalar': '#ffb74d',
  'wasm-simd': '#43a047',
  webgpu: '#1e88e5',
  'opencv.js': '#8e24aa',
  jsfeat: '#6d4c41',
};
const ORDER = ['memcpy', 'memcpy-all', 'reference', 'wasm-scalar', 'wasm-simd', 'webgpu', 'opencv.js', 'jsfeat'];

/** Labels in ms, or in µs below 0.01 ms where three decimals of ms would read as zero. */
const fmt = (ms: number) => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(3)} ms`);

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * One horizontal bar chart (SVG) of median milliseconds per implementation on a log scale, so a
 * 0.5 ms bar and a 20 ms bar are both readable.
 */
export function barChart(title: string, rows: BenchRow[]): string {
  const bars = rows
    .filter((r) => typeof r.medianMs === 'number' && r.medianMs > 0)
    .sort((a, b) => ORDER.indexOf(String(a.impl)) - ORDER.indexOf(String(b.impl)));
  const rowH = 22;
  const left = 110;
  const width = 640;
  const plotW = width - left - 90;
  const height = 36 + bars.length * rowH + 24;
  const values = bars.map((r) => r.medianMs!);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values) * 1.0001)));
  const x = (v: number) => left + (plotW * Math.log10(v / lo)) / Math.log10(hi / lo);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
  );
  parts.push(`<text x="8" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const gx = x(d).toFixed(1);
    parts.push(`<line x1="${gx}" x2="${gx}" y1="28" y2="${height - 20}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${height - 6}" font-size="10" text-anchor="middle">${d >= 1 ? d : d.toPrecision(1)} ms</text>`);
  }
  bars.forEach((r, i) => {
    const y = 32 + i * rowH;
    const w = Math.max(1, x(r.medianMs!) - left);
    const impl = String(r.impl);
    parts.push(`<text x="${left - 6}" y="${y + 14}" font-size="12" text-anchor="end">${esc(impl)}</text>`);
    parts.push(
      `<rect class="bar" data-impl="${esc(impl)}" x="${left}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${COLOURS[impl] ?? '#607d8b'}"><title>${esc(impl)}: ${fmt(r.medianMs!)}</title></rect>`,
    );
    parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 13}" font-size="11">${fmt(r.medianMs!)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** One line of a line chart: a name, a colour and a y value per x. */
export interface Series {
  name: string;
  colour: string;
  values: number[];
}

/**
 * A line chart (SVG) of several series over the same x values, linear axes from zero, with a
 * dashed vertical line at `markX` when given (the end of a soak's warm-up).
 */
export function lineChart(title: string, xs: number[], series: Series[], o: { xLabel: string; yLabel: string; markX?: number }): string {
  const width = 640;
  const height = 260;
  const left = 56;
  const right = 130;
  const top = 30;
  const bottom = 36;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1e-9, ...series.flatMap((s) => s.values)) * 1.1;
  const x = (v: number) => left + (plotW * v) / xMax;
  const y = (v: number) => top + plotH - (plotH * v) / yMax;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart line" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
  );
  parts.push(`<text x="8" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" font-size="10" text-anchor="end">${+v.toPrecision(3)}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const v = (xMax * i) / 4;
    parts.push(`<text x="${x(v).toFixed(1)}" y="${height - 20}" font-size="10" text-anchor="middle">${Math.round(v)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${height - 4}" font-size="11" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(
    `<text x="12" y="${top + plotH / 2}" font-size="11" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  if (o.markX !== undefined)
    parts.push(
      `<line x1="${x(o.markX).toFixed(1)}" x2="${x(o.markX).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  series.forEach((s, i) => {
    const pts = s.values.map((v, j) => `${x(xs[j]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="series" data-name="${esc(s.name)}" fill="none" stroke="${s.colour}" stroke-width="1.5" points="${pts}"/>`);
    parts.push(`<text x="${left + plotW + 8}" y="${top + 12 + i * 16}" font-size="11" fill="${s.colour}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Soak rows (kernel 'soak', a `series` of samples): resident set, live JS heap and arena high-water mark per 1,000 frames. */
function soakCharts(rows: BenchRow[]): string {
  const MiB = 2 ** 20;
  return rows
    .filter((r) => r.kernel === 'soak' && Array.isArray(r.series))
    .map((r) => {
      const s = r.series as Array<{ frames: number; rssBytes: number; heapUsedBytes: number; arena: { highWater: number } }>;
      const xs = s.map((p) => p.frames);
      const title = `soak ${String(r.impl)}: ${String(r.frames)} frames ${String(r.width)}x${String(r.height)}, ${r.flat ? 'flat' : 'NOT flat'} after ${String(r.warmupFrames)}`;
      return `<figure>${lineChart(
        title,
        xs,
        [
          { name: 'RSS', colour: '#1e88e5', values: s.map((p) => p.rssBytes / MiB) },
          { name: 'JS heap (live)', colour: '#43a047', values: s.map((p) => p.heapUsedBytes / MiB) },
          { name: 'arena high water', colour: '#e57373', values: s.map((p) => p.arena.highWater / MiB) },
        ],
        { xLabel: 'frames', yLabel: 'MiB', markX: Number(r.warmupFrames) },
      )}</figure>`;
    })
    .join('\n');
}

/** The report page: environment header, one chart per kernel and size, and the rows as a table. */
export function reportHtml(report: BenchReport): string {
  const groups = new Map<string, BenchRow[]>();
  for (const r of report.results) {
    if (typeof r.medianMs !== 'number') continue;
    const key = `${r.kernel} ${r.width}x${r.height}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const e = report.env;
  const charts = [...groups].map(([title, rows]) => `<figure>${barChart(title, rows)}</figure>`).join('\n');
  const soak = soakCharts(report.results);
  const other = report.results.filter((r) => typeof r.medianMs !== 'number');
  const otherRows = other
    .map((r) => {
      const { series: _series, ...row } = r;
      return `<tr><td>${esc(r.kernel)}</td><td>${esc(String(r.impl))}</td><td><code>${esc(JSON.stringify(row))}</code></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>framekit bench</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}figure{margin:12px 0}code{font-size:11px}table{border-collapse:collapse}td{border:1px solid #ddd;padding:2px 6px}</style>
</head><body>
<h1>framekit bench</h1>
<p id="env">${esc(`${e.runtime} ${e.version} · ${e.cpu} (${e.cores} cores) · ${e.platform} · ${e.date}`)}</p>
<p>Median milliseconds per call, log scale; shorter is faster. Every implementation was measured in the same run.</p>
${charts}
${soak}
${other.length ? `<h2>Other measurements</h2><table>${otherRows}</table>` : ''}
</body></html>
`;
}

/** Writes `results.json` and `index.html` into `dir`. */
export async function writeReport(dir: string, report: BenchReport): Promise<string[]> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  const files = [join(dir, 'results.json'), join(dir, 'index.html')];
  await writeFile(files[0]!, JSON.stringify(report, null, 2) + '\n');
  await writeFile(files[1]!, reportHtml(report));
  return files;
}
