import { createDecisionSignal, type DecisionSignal } from '../protocol/auth/decision_signal.js';

/**
 * The person's decisions, carried from the page (where they click) to the service worker (where
 * a company's held poll waits) on a BroadcastChannel: same origin only by design, and every
 * message checked for its shape. See src/protocol/auth/decision_signal.ts.
 */
const CHANNEL = 'disco-decisions';

interface Decided {
  type: 'DECIDED';
  id: string;
}

function parseDecided(data: unknown): Decided | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, id } = data as { type?: unknown; id?: unknown };
  if (type !== 'DECIDED' || typeof id !== 'string' || id.length === 0 || id.length > 64)
    return undefined;
  return { type, id };
}

/** The signal of this context: it tells the others what is decided here, and hears theirs. */
export function broadcastDecisions(): DecisionSignal {
  if (typeof BroadcastChannel === 'undefined') return createDecisionSignal();
  const channel = new BroadcastChannel(CHANNEL);
  const signal = createDecisionSignal((id) => {
    const message: Decided = { type: 'DECIDED', id };
    channel.postMessage(message);
  });
  channel.onmessage = (event: MessageEvent) => {
    const decided = parseDecided(event.data);
    if (decided) signal.receive(decided.id);
  };
  return signal;
}
