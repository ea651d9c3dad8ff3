import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';

export interface SessionLimits {
  /** Most sessions held at once; past it the least recently seen one is dropped. */
  max: number;
  /** A session nobody has used for this long is dropped. */
  idleMs: number;
}

const ID = /^[A-Za-z0-9_-]{43}$/;

/** The value of one cookie, or undefined (no dependency on a cookie parser for one name). */
function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Per-browser state kept in memory, found by a random id (256 bits) in an HttpOnly,
 * SameSite=Strict cookie. Only ids this store made are accepted (no fixation: an unknown id gets
 * a fresh session). Bounded: least recently used first out, idle ones swept; a dropped
 * session's `dispose` runs (it cancels what the session was waiting for).
 *
 * Cookies are per host, not per port: the shop and the courier on the same 127.0.0.1 need
 * different cookie names.
 */
export class SessionStore<S extends { dispose(): void }> {
  readonly #sessions = new Map<string, { state: S; seen: number }>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    readonly cookie: string,
    readonly limits: SessionLimits,
    private readonly create: () => S,
    private readonly now: () => number = Date.now,
  ) {
    this.#timer = setInterval(() => this.sweep(), Math.min(60_000, limits.idleMs)).unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The caller's session, if it has one (never creates: a GET should not fill the store). */
  find(req: Request): S | undefined {
    const id = readCookie(req, this.cookie);
    if (!id || !ID.test(id)) return undefined;
    const entry = this.#sessions.get(id);
    if (!entry) return undefined;
    if (this.now() - entry.seen > this.limits.idleMs) {
      this.#drop(id);
      return undefined;
    }
    // Re-insert: the Map's order is then least recently used first.
    this.#sessions.delete(id);
    entry.seen = this.now();
    this.#sessions.set(id, entry);
    return entry.state;
  }

  /** The caller's session, or a new one with its cookie set on `res`. */
  open(req: Request, res: Response): S {
    const found = this.find(req);
    if (found) return found;
    this.sweep();
    while (this.#sessions.size >= this.limits.max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const state = this.create();
    this.#sessions.set(id, { state, seen: this.now() });
    res.cookie(this.cookie, id, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
    });
    return state;
  }

  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.#sessions) {
      if (now - entry.seen > this.limits.idleMs) this.#drop(id);
    }
  }

  close(): void {
    clearInterval(this.#timer);
    for (const id of [...this.#sessions.keys()]) this.#drop(id);
  }

  #drop(id: string): void {
    const entry = this.#sessions.get(id);
    this.#sessions.delete(id);
    entry?.state.dispose();
  }
}
