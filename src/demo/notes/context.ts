import type { Certificate, RevocationList, Signer } from '../../protocol/certificates/index.js';
import type { Logger } from '../common/http.js';
import type { SessionStore } from '../common/session.js';
import type { ReplayCache } from './replay_cache.js';

/** One note, as stored and shown. */
export interface Note {
  id: string;
  text: string;
  createdAt: number;
  /** The fingerprint of the app key that signed it. */
  by: string;
}

/**
 * A person's notebook, keyed by their device id: whoever holds the device identity key that
 * signed the certificate at sign-in. Its revocation list is the device's.
 */
export interface Account {
  deviceId: string;
  fingerprint: string;
  issuer: Uint8Array;
  name?: string;
  notes: Note[];
  /** Where the device serves its list through the relay tunnel, from the certificate's `rev`. */
  revocationUrl?: string;
  revocations?: RevocationList;
  /** The pull under way, so concurrent notes share one fetch. */
  refreshing?: Promise<void> | undefined;
  lastPull: number;
}

/** The browser session of the notes page: its own app key and, once signed in, its certificate. */
export class NotesSession {
  app?: { publicKey: Uint8Array; sign: Signer } | undefined;
  request?:
    | { id: string; link: string; protocolLink: string; qrImage: string; expiresAt: number }
    | undefined;
  certificate?: Certificate | undefined;
  deviceId?: string | undefined;
  dispose(): void {
    this.app = undefined;
    this.certificate = undefined;
  }
}

export interface NotesContext {
  /** This server's origin, e.g. `http://127.0.0.1:8714`: the invocations' audience. */
  origin: string;
  relayUrl: string;
  /** The device app's base for the https link (`<deviceUrl>/#/capability?…`), if known. */
  deviceUrl?: string;
  now: () => number;
  log: Logger;
  fetchFn: typeof fetch;
  sessions: SessionStore<NotesSession>;
  /** Sign-ins waiting for their certificate, by request id. */
  pending: Map<string, { bytes: Uint8Array; session: NotesSession; expiresAt: number }>;
  accounts: Map<string, Account>;
  seen: ReplayCache;
  limits: { accounts: number; notesPerAccount: number; pending: number };
  /** A device's list younger than this is used as it is; older, the server asks again. */
  pullAfterMs: number;
}

/** The resource every note is created on, and the glob the sign-in asks for. */
export const notesResource = (ctx: NotesContext) => `${ctx.origin}/notes/main`;
export const notesGlob = (ctx: NotesContext) => `${ctx.origin}/notes/*`;
