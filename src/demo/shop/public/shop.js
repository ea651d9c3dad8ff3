// The shop's checkout page: it only calls its own server's JSON API and renders the answers
// (docs/demo.md). Text goes in with textContent, never as HTML.

/** Pause between requests when there is nothing to wait for, or after a failed one. */
const RETRY_MS = 1000;
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const els = {
  status: $('shop-status'),
  error: $('shop-error'),
  connect: /** @type {HTMLButtonElement} */ ($('connect')),
  pairing: $('pairing'),
  uid: $('pairing-uid'),
  qr: /** @type {HTMLImageElement} */ ($('pairing-qr')),
  expiry: $('pairing-expiry'),
  fingerprint: $('shop-fingerprint'),
  certified: $('device-certified'),
  ship: /** @type {HTMLButtonElement} */ ($('ship')),
  shipHint: $('ship-hint'),
  delivery: $('delivery'),
  deliveryId: $('delivery-id'),
  deliveryCourier: $('delivery-courier'),
  deliveryLink: /** @type {HTMLAnchorElement} */ ($('delivery-link')),
};

let sending = false;
/** @type {any} */
let last = null;
/** An answer's error that the state does not hold (e.g. "Connect with Disco first."), and the step it belongs to. */
let notice = { text: '', step: '' };

/** Changes text only when it differs: live regions then speak only real changes. */
function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function remaining(expiresAt) {
  const s = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
  if (s === 0) return 'This code has expired.';
  return `The code works once and expires in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.`;
}

const SHIP_HINT = {
  idle: 'Connect with Disco first.',
  pairing: 'Finish connecting first.',
  registering: 'Finish connecting first.',
  authorizing: 'Finish connecting first.',
  connected: 'Demo Courier will then ask your device for your address.',
  asking_key_b: 'Shipping…',
  handing_over: 'Shipping…',
  shipped: 'Shipped.',
};

function render(state) {
  last = state;
  if (notice.step !== state.step) notice = { text: '', step: '' };
  setText(els.status, state.status);
  setText(els.error, state.error ? state.error.message : notice.text);
  setText(els.fingerprint, state.shop.fingerprint);

  setText(els.certified, state.device ? state.device.certified : '');

  els.connect.hidden = state.step !== 'idle';
  els.connect.disabled = sending;

  const p = state.pairing;
  els.pairing.hidden = !p;
  if (p) {
    setText(els.uid, p.uid);
    if (p.qr_image.startsWith('data:image/svg+xml;base64,') && els.qr.src !== p.qr_image) {
      els.qr.src = p.qr_image;
    }
    setText(els.expiry, remaining(p.expires_at));
  }

  els.ship.disabled = sending || state.step !== 'connected';
  setText(els.shipHint, SHIP_HINT[state.step] ?? '');

  const d = state.delivery;
  els.delivery.hidden = !d;
  if (d) {
    setText(els.deliveryId, d.id);
    setText(els.deliveryCourier, state.courier ? state.courier.name : 'the courier');
    if (/^https?:\/\//.test(d.courier_url)) els.deliveryLink.href = `${d.courier_url}/`;
  }
}

/**
 * Reads the shop's state. `hold`: the shop answers once the flow moves past what this page
 * shows (`?since=`, at most 25 s), so a decision on the device shows here as soon as the shop
 * has it.
 */
async function refresh(hold = false) {
  const since = hold && typeof last?.version === 'number' ? `?since=${last.version}` : '';
  try {
    const res = await fetch(`/api/state${since}`, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
    return true;
  } catch {
    setText(els.status, 'Lost contact with the shop. Retrying…');
    return false;
  }
}

async function post(path) {
  sending = true;
  notice = { text: '', step: '' };
  if (last) render(last);
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{}',
    });
    const body = await res.json().catch(() => null);
    if (res.ok && body) render(body);
    else {
      await refresh();
      const text =
        body && typeof body.error_description === 'string'
          ? body.error_description
          : 'Something went wrong. Please try again.';
      notice = { text, step: last ? last.step : '' };
    }
  } catch {
    notice = {
      text: 'The shop cannot be reached. Check your connection and try again.',
      step: last ? last.step : '',
    };
  } finally {
    sending = false;
    if (last) render(last);
  }
}

els.connect.addEventListener('click', () => void post('/api/connect'));
els.ship.addEventListener('click', () => void post('/api/ship'));

async function loop() {
  // Without a session yet there is nothing to wait for: ask again in a second (not while a
  // button's request is on its way, whose answer is newer). With one, the held request is the
  // wait; after a failure (the shop restarting, the network gone) pause before asking again.
  const held = typeof last?.version === 'number';
  const ok = held || !sending ? await refresh(held) : true;
  setTimeout(() => void loop(), held && ok ? 0 : RETRY_MS);
}
void loop();
