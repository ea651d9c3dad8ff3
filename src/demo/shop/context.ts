import type { Company } from '../common/company.js';
import { explain, type Step, type Voice } from '../common/explain.js';
import type { InProgress } from '../common/in_progress.js';
import type { SessionStore } from '../common/session.js';
import { shopView, type ShopSession, type ShopState } from './state.js';

/** The only field the shop asks key A (and then key B) for. */
export const FIELDS = ['address'] as const;

/** What the shop's handlers and flows share. */
export interface ShopContext extends Company {
  /** The courier's base URL, without a trailing slash. */
  courierUrl: string;
  /** PEM roots trusted for device certificates. */
  deviceTrustAnchors: readonly string[];
  sessions: SessionStore<ShopSession>;
  /** Pairings and approvals waited for, over all sessions. */
  flows: InProgress;
  voice: Voice;
}

/** The session's state as the page sees it. */
export function viewOf(ctx: ShopContext, s: ShopSession | undefined): ShopState {
  return shopView({ name: ctx.name, fingerprint: ctx.me.fingerprint }, s);
}

/** Keeps a flow's failure for the page, unless a newer flow (or the session's end) replaced it. */
export function fail(
  ctx: ShopContext,
  s: ShopSession,
  err: unknown,
  step: Step,
  signal: AbortSignal,
): void {
  if (signal.aborted) return; // a newer flow, or the session is gone: nothing to say
  s.problem = explain(err, step, ctx.voice, ctx.log);
  ctx.log.info(`${ctx.name}: ${step} failed: ${s.problem.code}`);
}
