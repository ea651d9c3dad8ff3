import { describe, expect, it } from 'vitest';
import { b64u } from '../encoding/index.js';
import { isDiscoError } from '../errors/index.js';
import { PROTOCOL_HANDLER_URL, parseProtocolLink, protocolLinkFromQuery } from './protocol_link.js';
import { requestLink } from './request_origin.js';

const HASH = new Uint8Array(32).fill(9);
const URI = 'https://notes.example/disco/requests/abc';
const byRef = requestLink('web+disco:capability', { kind: 'uri', uri: URI, hash: HASH });
const inline = requestLink('web+disco:capability', {
  kind: 'inline',
  bytes: new Uint8Array([1, 2, 3]),
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isDiscoError(err) ? err.code : `not a DiscoError: ${String(err)}`;
  }
  return undefined;
}

/** What the browser does with the manifest's `url`: %s replaced by the escaped URL. */
const launched = (link: string) =>
  new URL(PROTOCOL_HANDLER_URL.replace('%s', encodeURIComponent(link)), 'https://disco.example')
    .search;

describe('parseProtocolLink (docs/wire/certificates.md "Links and QR codes")', () => {
  it('reads both forms back, and the scheme in any case', () => {
    expect(parseProtocolLink(byRef)).toEqual({ kind: 'uri', uri: URI, hash: HASH });
    expect(parseProtocolLink(inline)).toEqual({
      kind: 'inline',
      bytes: new Uint8Array([1, 2, 3]),
    });
    expect(parseProtocolLink(byRef.replace('web+disco', 'WEB+Disco'))).toMatchObject({
      kind: 'uri',
    });
  });

  it.each([
    ['another scheme', byRef.replace('web+disco:', 'web+evil:')],
    ['https', byRef.replace('web+disco:capability', 'https://disco.example/#/capability')],
    ['javascript', 'javascript:alert(1)//web+disco:capability?request=AQID'],
    ['a scheme prefix only', 'web+disco:'],
    ['another path', byRef.replace(':capability', ':pair')],
    ['an authority', byRef.replace(':capability', '://capability')],
    ['no query', 'web+disco:capability'],
    ['an empty query', 'web+disco:capability?'],
    ['an extra parameter', `${byRef}&ret=https://evil.example/`],
    ['a repeated parameter', `${inline}&request=AQID`],
    ['both forms', `${byRef}&request=AQID`],
    ['request_uri without its hash', `web+disco:capability?request_uri=${encodeURIComponent(URI)}`],
    ['a short hash', byRef.replace(b64u.encode(HASH), b64u.encode(HASH.slice(1)))],
    ['a request_uri over http', byRef.replace('https%3A', 'http%3A')],
    ['a request_uri with credentials', byRef.replace('https%3A%2F%2F', 'https%3A%2F%2Fa%3Ab%40')],
    ['a space', byRef.replace('capability?', 'capability? ')],
    ['a control character', `${inline}\u0000`],
    ['non-ASCII', `${inline}é`],
    ['not base64url', 'web+disco:capability?request=a%2Bb'],
    ['empty', ''],
  ])('refuses %s', (_why, text) => {
    expect(codeOf(() => parseProtocolLink(text))).toBe('ERR_CAP_MALFORMED');
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, [byRef]]) {
      expect(codeOf(() => parseProtocolLink(value))).toBe('ERR_CAP_MALFORMED');
    }
  });

  it('refuses an oversized link before looking inside it', () => {
    const big = `web+disco:capability?request=${'A'.repeat(8192)}`;
    expect(codeOf(() => parseProtocolLink(big))).toBe('ERR_CAP_MALFORMED');
    expect(codeOf(() => protocolLinkFromQuery(launched(big)))).toBe('ERR_CAP_MALFORMED');
  });

  it('says plainly that nothing was saved (the message is shown on screen)', () => {
    try {
      parseProtocolLink('web+evil:x');
    } catch (err) {
      expect((err as Error).message).toMatch(/not a Disco certificate request link/);
    }
    expect.assertions(1);
  });
});

describe('protocolLinkFromQuery (the manifest handler route)', () => {
  it('takes the link the browser escaped into the handler URL', () => {
    expect(PROTOCOL_HANDLER_URL).toContain('%s');
    expect(protocolLinkFromQuery(launched(byRef))).toEqual({
      link: byRef,
      ref: { kind: 'uri', uri: URI, hash: HASH },
    });
  });

  it.each([
    ['no parameter', ''],
    ['another parameter', `?other=${encodeURIComponent(byRef)}`],
    ['an extra parameter', `${launched(byRef)}&x=1`],
    ['the parameter twice', `${launched(byRef)}&disco_link=${encodeURIComponent(byRef)}`],
    ['an unescaped "+" (read as a space)', `?disco_link=${byRef}`],
    ['a wrong scheme inside', launched(byRef.replace('web+disco', 'web+other'))],
  ])('refuses %s', (_why, search) => {
    expect(codeOf(() => protocolLinkFromQuery(search))).toBe('ERR_CAP_MALFORMED');
  });
});
