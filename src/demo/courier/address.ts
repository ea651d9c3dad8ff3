/** The address as received, as label lines: only text, no control characters, bounded. */
export function addressLines(value: unknown): string[] | undefined {
  const text = (v: unknown): string[] =>
    typeof v === 'string' ? v.split(/\r?\n/) : typeof v === 'number' ? [String(v)] : [];
  let lines: string[] = [];
  if (typeof value === 'string') lines = text(value);
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const a = value as Record<string, unknown>;
    lines = [
      ...text(a.street_address),
      [...text(a.postal_code), ...text(a.locality)].join(' '),
      ...text(a.region),
      ...text(a.country),
    ];
  }
  const printable = (l: string) =>
    Array.from(l, (ch) => {
      const c = ch.charCodeAt(0);
      return c < 0x20 || (c >= 0x7f && c < 0xa0) ? ' ' : ch;
    }).join('');
  const clean = lines
    .map((l) => printable(l).trim().slice(0, 200))
    .filter((l) => l !== '')
    .slice(0, 8);
  return clean.length ? clean : undefined;
}
