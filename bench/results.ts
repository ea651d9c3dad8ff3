// The figures of one `npm run bench` run, as bench/results.json: what a machine (or the README's
// table, bench/table.ts) reads instead of the printed lines.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { format, resolveConfig } from 'prettier';

/** One figure. `ratio` is `value / baseline.value`, in the figure's own unit. */
export interface Figure {
  name: string;
  /** `null` when the section that measures it did not run (`skipped` says why). */
  value: number | null;
  unit: string;
  /** For a ratio figure: the figure it divides (its `baseline` is the divisor). */
  of?: { key: string; name: string; value: number | null; unit: string };
  baseline?: { key: string; name: string; value: number | null; unit: string };
  ratio?: number | null;
  skipped?: string;
}

export interface ResultsFile {
  /** ISO 8601, when the run ended. */
  date: string;
  /** `load1` is the 1-minute load average when the run ended: timings mean little when it is high. */
  machine: { cpus: number; cpu: string; node: string; platform: string; load1: number };
  /** The sections this run measured, and those it skipped with the reason. */
  sections: { run: string[]; skipped: Record<string, string> };
  figures: Record<string, Figure>;
}

/**
 * Keys whose meaning other tools rely on (issue #13): present in every results.json, with a
 * `null` value and the reason when their section did not run.
 */
export const FIXED_KEYS = {
  tunnel_over_raw_echo: {
    name: 'GET through relay → device, round trip, over a raw PeerJS echo',
    unit: '×',
    section: 'relay',
  },
  upload_over_raw: {
    name: '1 MiB upload through the tunnel, over raw PeerJS',
    unit: '×',
    section: 'relay',
  },
  engine_over_crypto_floor: {
    name: 'engine alone (warm cache), over its own crypto done bare',
    unit: '×',
    section: 'engine',
  },
  first_paint_js_gzip_bytes: {
    name: 'JavaScript the device app loads before its first paint, gzip',
    unit: 'bytes',
    section: 'size',
  },
  sw_js_gzip_bytes: { name: 'service worker, gzip', unit: 'bytes', section: 'size' },
  // the engine next to node-oidc-provider (bench/oidc.ts, issue #13)
  engine_over_oidc_provider: {
    name: 'engine over HTTP (authorize → key A) over node-oidc-provider (client_credentials, EdDSA JWT), 1 in flight',
    unit: '×',
    section: 'oidc',
  },
  lighthouse_mobile_performance: {
    name: 'Lighthouse mobile performance score, first page, median of 3',
    unit: 'score',
    section: 'lighthouse',
  },
  lighthouse_cls: {
    name: 'Lighthouse cumulative layout shift, first page, median of 3',
    unit: 'CLS',
    section: 'lighthouse',
  },
  // capability certificates (bench/capability.ts, issue #8)
  capability_chain1_over_ed25519_verify: {
    name: 'one-link chain verifications over bare Ed25519 verifies (issue #8 aims at ≥ 0.5)',
    unit: '×',
    section: 'capability',
  },
  capability_issue_verify: {
    name: 'issue a certificate + parse and verify it',
    unit: 'ops/s',
    section: 'capability',
  },
  capability_verify_chain_1: {
    name: 'verifyCapability, chain of 1 + invocation',
    unit: 'ops/s',
    section: 'capability',
  },
  capability_verify_chain_5: {
    name: 'verifyCapability, chain of 5 + invocation',
    unit: 'ops/s',
    section: 'capability',
  },
  // nodetrust (bench/nodetrust.ts, issue #10)
  nodetrust_dns_udp_qps: {
    name: 'nodetrust DNS server (own process) over UDP, A ip4… / TXT p… answered, 64 in flight',
    unit: 'ops/s',
    section: 'nodetrust',
  },
  nodetrust_dns_over_udp_echo: {
    name: 'nodetrust DNS answers per second over a bare dgram echo',
    unit: '×',
    section: 'nodetrust',
  },
  nodetrust_issue_ms: {
    name: 'obtainCertificate against pebble (info, 2 proofs, issue, ACME DNS-01), median of 3',
    unit: 'ms',
    section: 'nodetrust',
  },
} as const;

/** Counts (bytes) stay exact; measured rates and times keep four significant digits. */
const round = (x: number) => (Number.isInteger(x) ? x : Number(x.toPrecision(4)));

export class Results {
  readonly figures: Record<string, Figure> = {};
  /** Figure key → its baseline's key, resolved when saved (a baseline may be measured later). */
  readonly #baselines = new Map<string, string>();

  /** Records a figure; `baseline` names another figure, and the file gives the ratio to it. */
  add(key: string, name: string, value: number, unit: string, baseline?: string): number {
    this.figures[key] = { name, value: round(value), unit };
    if (baseline !== undefined) this.#baselines.set(key, baseline);
    return value;
  }

  /** Records `of / baseline` (two figures recorded before) as a figure of its own. */
  ratio(key: string, name: string, of: string, baseline: string): number {
    const a = this.#get(of);
    const b = this.#get(baseline);
    const value = a.value !== null && b.value ? a.value / b.value : NaN;
    this.figures[key] = {
      name,
      value: round(value),
      unit: '×',
      of: { key: of, name: a.name, value: a.value, unit: a.unit },
      baseline: { key: baseline, name: b.name, value: b.value, unit: b.unit },
      ratio: round(value),
    };
    return value;
  }

  /** Figures measured elsewhere (the relay section's child process). */
  merge(figures: Record<string, Figure>): void {
    Object.assign(this.figures, figures);
  }

  /**
   * Writes the file: fixed keys whose section did not run appear with `value: null`. Formatted
   * as the repository's other files are, so that a committed run passes `prettier --check`.
   */
  async save(path: string, sections: ResultsFile['sections']): Promise<ResultsFile> {
    const figures = this.resolved();
    for (const [key, fixed] of Object.entries(FIXED_KEYS)) {
      figures[key] ??= {
        name: fixed.name,
        value: null,
        unit: fixed.unit,
        skipped: sections.skipped[fixed.section] ?? `the ${fixed.section} section did not run`,
      };
    }
    const file: ResultsFile = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        platform: process.platform,
        load1: round(loadavg()[0] ?? 0),
      },
      sections,
      figures,
    };
    const options = { ...(await resolveConfig(path)), filepath: path };
    writeFileSync(path, await format(JSON.stringify(file), options));
    return file;
  }

  /** The figures, each with its baseline and ratio. */
  resolved(): Record<string, Figure> {
    const figures = { ...this.figures };
    for (const [key, baseline] of this.#baselines) {
      const figure = figures[key];
      const base = figures[baseline];
      if (!figure || !base) continue;
      figures[key] = {
        ...figure,
        baseline: { key: baseline, name: base.name, value: base.value, unit: base.unit },
        ratio: figure.value !== null && base.value ? round(figure.value / base.value) : null,
      };
    }
    return figures;
  }

  #get(key: string): Figure {
    const figure = this.figures[key];
    if (!figure) throw new Error(`bench: no figure "${key}" recorded yet`);
    return figure;
  }
}
