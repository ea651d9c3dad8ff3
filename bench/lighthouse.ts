// The lighthouse section of `npm run bench`: Lighthouse's mobile performance score and its
// cumulative layout shift for the device app's first page, on a fresh production build served
// as the browser tests serve it (src/server/app/serve_app.ts) on 127.0.0.1, in the Debian
// Chromium (issue #13: "Lighthouse mobile performance / CLS ≥ 98 / < 0.05").
import { rmSync } from 'node:fs';
import { serveApp } from '../src/server/app/serve_app.js';
import { listen } from '../src/server/listen.js';
import type { Results } from './results.js';
import { freshBuild } from './size.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Runs per figure; the median is kept (Lighthouse's own advice for a noisy machine). */
const RUNS = Number(process.env.LH_RUNS ?? 3);

/** The timings the score is made of (Lighthouse 12's weights: TBT 30, LCP 25, CLS 25, FCP and SI 10). */
const METRICS = [
  ['first-contentful-paint', 'FCP'],
  ['largest-contentful-paint', 'LCP'],
  ['total-blocking-time', 'TBT'],
  ['speed-index', 'SI'],
] as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function lighthouseSection(results: Results): Promise<string | undefined> {
  console.log('\nLighthouse, mobile (its default: simulated slow 4G and a 4× slower CPU)');
  const { default: lighthouse } = await import('lighthouse');
  const { launch } = await import('chrome-launcher');
  const dist = freshBuild('disco-bench-lighthouse-');
  try {
    const server = await listen(serveApp(dist), 0);
    // As root (a container), Chromium runs only without its sandbox.
    const chrome = await launch({
      chromePath: CHROMIUM,
      chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
    });
    const scores: number[] = [];
    const shifts: number[] = [];
    const metrics: string[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const answer = await lighthouse(server.url, {
          port: chrome.port,
          onlyCategories: ['performance'],
          logLevel: 'error',
          output: 'json',
        });
        const lhr = answer?.lhr;
        const score = lhr?.categories.performance?.score;
        const cls = lhr?.audits['cumulative-layout-shift']?.numericValue;
        if (typeof score !== 'number' || typeof cls !== 'number') {
          return `Lighthouse gave no performance score (${lhr?.runtimeError?.message ?? 'no report'})`;
        }
        scores.push(score * 100);
        shifts.push(cls);
        metrics.push(
          METRICS.map(
            ([id, label]) => `${label} ${(lhr?.audits[id]?.numericValue ?? NaN).toFixed(0)} ms`,
          ).join(', '),
        );
      }
    } finally {
      chrome.kill();
      await server.close();
    }
    const score = median(scores);
    const cls = median(shifts);
    console.log(`  performance ${score.toFixed(0)} (runs: ${scores.join(', ')})`);
    console.log(`  cumulative layout shift ${cls.toFixed(3)} (runs: ${shifts.join(', ')})`);
    for (const line of metrics) console.log(`    ${line}`);
    results.add(
      'lighthouse_mobile_performance',
      `Lighthouse mobile performance score, first page, median of ${RUNS}`,
      score,
      'score',
    );
    results.add(
      'lighthouse_cls',
      `Lighthouse cumulative layout shift, first page, median of ${RUNS}`,
      cls,
      'CLS',
    );
    return undefined;
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
}
