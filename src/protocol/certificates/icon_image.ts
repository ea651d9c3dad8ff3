import { DiscoError } from '../errors/index.js';
import { CAPABILITY_LIMITS } from './limits.js';

/** An icon carried inside a request: the device shows it without asking anyone for it. */
export interface InlineIcon {
  readonly type: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/svg+xml';
  readonly bytes: Uint8Array;
}

const malformed = (why: string) => new DiscoError('ERR_CAP_MALFORMED', `request: icon: ${why}`);
const startsWith = (b: Uint8Array, prefix: readonly number[], at = 0) =>
  prefix.every((x, i) => b[at + i] === x);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The type of an inline icon, read from its bytes (PNG, JPEG, GIF, WebP signatures, or SVG text
 * starting `<svg` or `<?xml`), at most `maxIconBytes`. Anything else is refused: the card shows
 * it with an `<img>` from a blob: URL of this type, never as a document of its own (an SVG's
 * scripts do not run in an `<img>`).
 */
export function sniffIcon(bytes: Uint8Array): InlineIcon {
  if (bytes.length === 0) throw malformed('empty');
  if (bytes.length > CAPABILITY_LIMITS.maxIconBytes) {
    throw new DiscoError(
      'ERR_CAP_TOO_LARGE',
      `request: icon: more than ${CAPABILITY_LIMITS.maxIconBytes} bytes`,
    );
  }
  const type: InlineIcon['type'] | undefined = startsWith(
    bytes,
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  )
    ? 'image/png'
    : startsWith(bytes, [0xff, 0xd8, 0xff])
      ? 'image/jpeg'
      : startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))
        ? 'image/gif'
        : startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)
          ? 'image/webp'
          : startsWith(bytes, ascii('<svg')) || startsWith(bytes, ascii('<?xml'))
            ? 'image/svg+xml'
            : undefined;
  if (!type) throw malformed('not a PNG, JPEG, GIF, WebP or SVG image');
  return { type, bytes };
}
