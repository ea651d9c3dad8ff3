// `npx tsx bench/table.ts`: the README's performance table (Markdown), read from
// bench/results.json, so that the README shows exactly what one run measured.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Figure, ResultsFile } from './results.js';

/** The figures issue #13 sets goals for, in its order. */
const ROWS: ReadonlyArray<{ key: string; goal: string }> = [
  { key: 'tunnel_round_trip_ms', goal: '≤ 3× the raw echo' },
  { key: 'tunnel_floor_over_raw_echo', goal: '— (the bound on the row above)' },
  { key: 'page_to_sw_message_ms', goal: '< 1 ms' },
  { key: 'tunnel_upload_mb_s', goal: '≥ 0.7× raw' },
  { key: 'engine_alone_warm_cache', goal: '—' },
  { key: 'engine_over_crypto_floor', goal: '≥ 0.7×' },
  { key: 'engine_over_oidc_provider', goal: '≥ 0.4×' },
  { key: 'crypto_floor_over_oidc_provider', goal: '— (the bound on the row above)' },
  { key: 'first_paint_js_gzip_bytes', goal: '≤ 50 KB' },
  { key: 'sw_js_gzip_bytes', goal: '≤ 120 KB' },
  { key: 'lighthouse_mobile_performance', goal: '≥ 98' },
  { key: 'lighthouse_cls', goal: '< 0.05' },
];

function format(value: number | null, unit: string): string {
  if (value === null) return 'not run';
  switch (unit) {
    case 'bytes':
      return `${(value / 1000).toFixed(1)} KB`;
    case 'ms':
      return `${value.toFixed(2)} ms`;
    case 'ops/s':
      return `${value.toFixed(0)}/s (${(1000 / value).toFixed(2)} ms)`;
    case 'MB/s':
      return `${value.toFixed(1)} MB/s`;
    case '×':
      return `${value.toFixed(2)}×`;
    case 'score':
      return value.toFixed(0);
    case 'CLS':
      return value.toFixed(3);
    default:
      return `${value} ${unit}`;
  }
}

function row(key: string, figure: Figure | undefined, goal: string): string {
  if (!figure) return `| \`${key}\` | not run | | | ${goal} |`;
  const base = figure.baseline
    ? `${figure.baseline.name}: ${format(figure.baseline.value, figure.baseline.unit)}`
    : '';
  // A ratio figure (`of`) is its own ratio: the column stays empty.
  const ratio = figure.ratio === undefined || figure.of ? '' : format(figure.ratio, '×');
  return `| ${figure.name} (\`${key}\`) | ${format(figure.value, figure.unit)} | ${base} | ${ratio} | ${goal} |`;
}

const file = JSON.parse(
  readFileSync(resolve(import.meta.dirname, 'results.json'), 'utf8'),
) as ResultsFile;
console.log('| figure | this run | baseline, same run | ratio | goal (issue #13) |');
console.log('|---|---|---|---|---|');
for (const { key, goal } of ROWS) console.log(row(key, file.figures[key], goal));
const skipped = Object.entries(file.sections.skipped);
console.log(
  `\n${file.date.slice(0, 10)}, ${file.machine.cpus} × ${file.machine.cpu}, Node ${file.machine.node}, ` +
    `load average ${file.machine.load1} at the end` +
    (skipped.length
      ? `; not in this run: ${skipped.map(([name, why]) => `${name} (${why})`).join('; ')}`
      : ''),
);
