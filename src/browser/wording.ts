/**
 * The words a person reads for each kind of request, in one place: the request card, the system
 * notification, Connections and Activity say the same thing the same way (issue #11: key A was
 * worded three ways). Key A names no partner because none is known yet: each key B names one.
 */
export type RequestKind = 'register' | 'key_a' | 'key_b' | 'data';

/** What key A allows, after "may" / "asks permission to": one phrase everywhere. */
export const keyAPhrase = (fields: string) => `pass your ${fields} to partner companies later`;

/** What a request asks, after the company's name (card titles and notifications). */
export function asks(kind: RequestKind, fields: string, recipient?: string): string {
  switch (kind) {
    case 'register':
      return 'wants to connect to your device';
    case 'key_a':
      return `asks permission to ${keyAPhrase(fields)}`;
    case 'key_b':
      return `asks to pass your ${fields} to ${recipient ?? 'a partner company'}, once`;
    case 'data':
      return `asks for your ${fields}`;
  }
}

/**
 * The badge of a company that registered as a partner (`is_trusted`): its own claim, which no
 * authority checked, so it must not read as verification.
 */
export const PARTNER_BADGE = 'Partner company (its own claim)';
