// The notes page: it only calls its own server's JSON API and renders the answers
// (docs/wire/certificates.md "Notes demo"). Text goes in with textContent, never as HTML.

const POLL_MS = 1500;
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

const els = {
  status: $('notes-status'),
  error: $('notes-error'),
  signedOut: $('signed-out'),
  signedIn: $('signed-in'),
  signIn: /** @type {HTMLButtonElement} */ ($('sign-in')),
  request: $('request'),
  qr: /** @type {HTMLImageElement} */ ($('request-qr')),
  link: /** @type {HTMLAnchorElement} */ ($('request-link')),
  protocolLink: /** @type {HTMLAnchorElement} */ ($('request-protocol-link')),
  expiry: $('request-expiry'),
  account: $('account'),
  form: /** @type {HTMLFormElement} */ ($('note-form')),
  note: /** @type {HTMLTextAreaElement} */ ($('note')),
  add: /** @type {HTMLButtonElement} */ ($('add')),
  signOut: /** @type {HTMLButtonElement} */ ($('sign-out')),
  notes: $('notes'),
};

let sending = false;

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function render(state) {
  els.signedOut.hidden = state.signed_in;
  els.signedIn.hidden = !state.signed_in;
  setText(
    els.status,
    state.signed_in
      ? 'Signed in with Disco.'
      : state.request
        ? 'Waiting for your device to approve…'
        : 'Not signed in.',
  );
  const r = state.request;
  els.request.hidden = !r;
  els.signIn.disabled = sending;
  if (r) {
    if (r.qr_image.startsWith('data:image/svg+xml;base64,') && els.qr.src !== r.qr_image) {
      els.qr.src = r.qr_image;
    }
    if (/^(https?:|web\+disco:)/.test(r.link)) els.link.href = r.link;
    if (/^web\+disco:capability\?/.test(r.protocol_link)) els.protocolLink.href = r.protocol_link;
    const s = Math.max(0, Math.round((r.expires_at - Date.now()) / 1000));
    setText(
      els.expiry,
      `The request expires in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.`,
    );
  }
  if (state.account) {
    setText(
      els.account,
      state.account.name
        ? `${state.account.name} · ${state.account.fingerprint}`
        : state.account.fingerprint,
    );
  }
  els.add.disabled = sending;
  const items = state.notes.map((n) => {
    const li = document.createElement('li');
    li.textContent = n.text;
    return li;
  });
  els.notes.replaceChildren(...items);
}

async function refresh() {
  try {
    const res = await fetch('/api/state', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
  } catch {
    setText(els.status, 'Lost contact with Demo Notes. Retrying…');
  }
}

async function post(path, body) {
  sending = true;
  setText(els.error, '');
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => null);
    if (res.ok && answer) {
      render(answer);
      return true;
    }
    setText(
      els.error,
      answer && typeof answer.error_description === 'string'
        ? answer.error_description
        : 'Something went wrong. Please try again.',
    );
  } catch {
    setText(els.error, 'Demo Notes cannot be reached. Check your connection and try again.');
  } finally {
    sending = false;
  }
  return false;
}

els.signIn.addEventListener('click', () => void post('/api/sign-in', {}));
els.signOut.addEventListener('click', () => void post('/api/sign-out', {}));
els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void post('/api/session/notes', { note: els.note.value }).then((ok) => {
    if (ok) els.note.value = '';
  });
});

async function loop() {
  if (!sending) await refresh();
  setTimeout(() => void loop(), POLL_MS);
}
void loop();
