import { ERROR_CODES, type ErrorCode } from './codes.js';
import { ERROR_HELP } from './help.js';

const INTRO = `# Errors

<!-- Generated from src/protocol/errors/codes.ts and help.ts by \`npm run docs:errors\`; a test
fails when this file and those tables differ. Edit them, not this file. -->

Disco throws one error type, \`DiscoError\`, with a stable \`code\` from a closed set and a
\`kind\`: \`input\` (the caller sent something wrong), \`trust\` (a check of authenticity or
authorization failed), \`transport\` (the way to the other side failed), or \`internal\`. Callers
\`switch (err.code)\` or use \`isDiscoError(err, 'ERR_…')\`; messages are sentences for people and
may change.

On the wire every error answer has the OAuth shape (RFC 6749 §5.2) plus the code:

\`\`\`json
{ "error": "invalid_request", "error_description": "…", "code": "ERR_TOO_LARGE" }
\`\`\`

The mapping from code to \`error\` and HTTP status lives in one table (\`codes.ts\`) and is applied in
one function (\`toWire\`). Internal errors, and anything that is not a \`DiscoError\`, become
\`500 {"error":"server_error","error_description":"internal error"}\`: internals never reach a
client.
`;

const SECTIONS: ReadonlyArray<{ title: string; match: (code: string) => boolean }> = [
  { title: 'Internet Computer agent (docs/ic.md)', match: (c) => c.startsWith('ERR_IC_') },
  {
    title: 'Capability certificates (docs/wire/certificates.md)',
    match: (c) => c.startsWith('ERR_CAP_'),
  },
  { title: 'Nodetrust (docs/wire/nodetrust.md)', match: (c) => c.startsWith('ERR_NODETRUST_') },
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(codes: readonly ErrorCode[]): string {
  const rows = codes.map((code) => {
    const { status, kind, wire } = ERROR_CODES[code];
    const { meaning, action } = ERROR_HELP[code];
    return `| \`${code}\` | ${status} \`${wire}\` | ${kind} | ${cell(meaning)} | ${cell(action)} |`;
  });
  return [
    '| code | HTTP | kind | meaning | what to do |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** docs/errors.md as it must read: every code, its status, kind, meaning and what to do. */
export function errorsDoc(): string {
  const all = Object.keys(ERROR_CODES) as ErrorCode[];
  const core = all.filter((c) => !SECTIONS.some((s) => s.match(c)));
  const parts = [INTRO, '## Disco: the device, the relay and the SDK\n', table(core)];
  for (const s of SECTIONS) parts.push(`\n## ${s.title}\n`, table(all.filter((c) => s.match(c))));
  return `${parts.join('\n')}\n`;
}
