/**
 * The words a person reads for each kind of request, in one place: the request card, the system
 * notification, Connections and Activity say the same thing the same way (issue #11: key A was
 * worded three ways). Key A names no partner because none is known yet: each key B names one.
 */
export type RequestKind = 'register' | 'key_a' | 'key_b' | 'data' | 'capability';

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
    case 'capability':
      return 'asks for a certificate to act for you';
  }
}

/** Capability actions (docs/wire/certificates.md "Actions") in plain words, after "may". */
const ACTION_WORDS: Readonly<Record<string, string>> = {
  read: 'read',
  create: 'create',
  update: 'change',
  delete: 'delete',
  '*': 'read, create, change and delete',
};

/**
 * One capability in plain words: "may create anything under https://notes.example/notes/".
 * A glob whose only unescaped star is its last character reads "anything under" its prefix; a
 * glob without stars names one thing; any other glob is shown as it is, since its stars match
 * any text, "/" included.
 */
export function capabilityPhrase(actions: readonly string[], resource: string): string {
  const verbs = actions.map((a) => ACTION_WORDS[a] ?? a);
  const verb =
    verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)!}` : (verbs[0] ?? '');
  const stars = [...resource.matchAll(/(?<!\\)\*/g)].length;
  const literal = resource.replace(/\\\*/g, '*');
  if (stars === 0) return `may ${verb} ${literal}`;
  if (stars === 1 && resource.endsWith('*') && !resource.endsWith('\\*')) {
    const prefix = resource.slice(0, -1).replace(/\\\*/g, '*');
    return prefix === '' ? `may ${verb} anything` : `may ${verb} anything under ${prefix}`;
  }
  return `may ${verb} anything matching ${resource} (each * stands for any text)`;
}

/** Where an app's request comes from, as the request card says it (docs/wire/certificates.md "Origin"). */
export const ORIGIN_WORDS = {
  verified: 'Sent from this address: Disco fetched the request from it.',
  claimed: 'Not verified: the request only claims this address.',
} as const;

/**
 * The badge of a company that registered as a partner (`is_trusted`): its own claim, which no
 * authority checked, so it must not read as verification.
 */
export const PARTNER_BADGE = 'Partner company (its own claim)';

/** Who a key B is for, as the device knows it (PendingRecord `audience`). */
export interface PartnerView {
  readonly clientId: string;
  /** The name it registered with this device. */
  readonly clientName?: string;
  /** The name the asking company gave it (src/protocol/auth/stated_partner.ts). */
  readonly statedName?: string;
}

/** A key B's partner in short, where the sentence already says who named it: its name or id. */
export const partnerName = (p: PartnerView): string => p.clientName ?? p.statedName ?? p.clientId;

/**
 * A key B's partner, as titles and sentences name it: the name it registered with this device;
 * else the name the asking company gave it, said to be that company's word ("Demo Courier —
 * named by Demo Shop"), since nobody checked it; else its raw client id.
 */
export function partnerLabel(p: PartnerView, asker: string): string {
  if (p.clientName) return p.clientName;
  if (p.statedName) return `${p.statedName} — named by ${asker}`;
  return p.clientId;
}

/**
 * Activity's outcome of a request its company gave up before the person answered (it was
 * withdrawn: src/protocol/auth/withdraw.ts): nobody refused it, the company no longer asks.
 */
export const WITHDRAWN_OUTCOME = 'Withdrawn by the company';

/**
 * Revoking every certificate of one app (docs/wire/certificates.md "Revocation list", `subs`):
 * the button in Connections and its line in Activity say it the same way.
 */
export const revokeAllLabel = (app: string) => `Revoke all of ${app}'s certificates`;
export const REVOKED_ALL_WHAT = 'All of its certificates revoked, with any it passed on';
