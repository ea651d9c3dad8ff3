/**
 * Structured logs: one JSON object per line, `{ time, level, event, ...fields }`. Callers pass
 * only safe fields (ids, counts, codes, thumbprints). As a second line of defence, fields whose
 * name suggests a secret or a payload are replaced by `"[redacted]"`, and strings are cut short,
 * so a mistake cannot put a body, token, challenge or certificate in the log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogValue>>;

export interface Logger {
  log(level: LogLevel, event: string, fields?: LogFields): void;
}

export interface LogEntry {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: Record<string, LogValue>;
}

/** Field names never written as they are. */
const SECRET_FIELD =
  /token|secret|challenge|body|password|authorization|cookie|private|pem|jwk|certificate|uid$/i;
const MAX_STRING = 200;

/** The fields as they are written: secret-looking names redacted, long strings cut. */
export function safeFields(fields: LogFields = {}): Record<string, LogValue> {
  const out: Record<string, LogValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (SECRET_FIELD.test(name)) out[name] = '[redacted]';
    else if (typeof value === 'string' && value.length > MAX_STRING)
      out[name] = `${value.slice(0, MAX_STRING)}…`;
    else out[name] = value;
  }
  return out;
}

/** Writes JSON lines (to stdout by default). `minLevel` drops the levels below it. */
export function jsonLogger(
  opts: {
    write?: (line: string) => void;
    now?: () => number;
    minLevel?: LogLevel;
  } = {},
): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = opts.now ?? Date.now;
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  const min = order[opts.minLevel ?? 'info'];
  return {
    log(level, event, fields) {
      if (order[level] < min) return;
      const time = new Date(now()).toISOString();
      write(JSON.stringify({ time, level, event, ...safeFields(fields) }));
    },
  };
}

/** A logger that keeps its entries in memory, for tests. */
export function captureLogger(): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, event, fields) {
      entries.push({ level, event, fields: safeFields(fields) });
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log: () => undefined };

/**
 * Logs the first `first` events, then every `every`-th, each with its running `count`: for
 * events a stranger can cause at will (dropped signalling messages), whose flood must not
 * flood the log.
 */
export function sampledLog(
  logger: Logger,
  level: LogLevel,
  event: string,
  first = 5,
  every = 100,
): (fields?: LogFields) => void {
  let count = 0;
  return (fields) => {
    count++;
    if (count <= first || count % every === 0) logger.log(level, event, { ...fields, count });
  };
}
