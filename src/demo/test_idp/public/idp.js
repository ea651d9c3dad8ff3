// The provider's side of Internet Identity's client authentication protocol (II spec "Client
// authentication protocol"): authorize-ready to the opener, authorize-client from it, then
// authorize-client-success or -failure to that window at that origin only.
const status = document.getElementById('status');
const approve = document.getElementById('approve');
const refuse = document.getElementById('refuse');

/** The app's request: its window, its origin, and what it asked for. */
let request;

const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (text) => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));

function answer(message, text) {
  approve.disabled = true;
  refuse.disabled = true;
  request.source.postMessage(message, request.origin);
  status.textContent = text;
}

window.addEventListener('message', (event) => {
  const data = event.data;
  if (event.source !== window.opener || !data || data.kind !== 'authorize-client') return;
  if (!(data.sessionPublicKey instanceof Uint8Array)) return;
  request = {
    source: event.source,
    origin: event.origin,
    sessionPublicKey: data.sessionPublicKey,
    maxTimeToLive: typeof data.maxTimeToLive === 'bigint' ? data.maxTimeToLive : undefined,
    derivationOrigin: typeof data.derivationOrigin === 'string' ? data.derivationOrigin : undefined,
  };
  status.textContent = `${event.origin} asks you to sign in.`;
  approve.disabled = false;
  refuse.disabled = false;
});

approve.addEventListener('click', async () => {
  approve.disabled = true;
  refuse.disabled = true;
  const res = await fetch('/api/delegation', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sessionPublicKey: toHex(request.sessionPublicKey),
      ...(request.maxTimeToLive ? { maxTimeToLive: request.maxTimeToLive.toString() } : {}),
      origin: request.derivationOrigin ?? request.origin,
    }),
  });
  const body = await res.json();
  if (!res.ok) {
    answer({ kind: 'authorize-client-failure', text: body.error_description }, 'Sign-in failed.');
    return;
  }
  answer(
    {
      kind: 'authorize-client-success',
      delegations: body.delegations.map(({ delegation, signature }) => ({
        delegation: {
          pubkey: fromHex(delegation.pubkey),
          expiration: BigInt(delegation.expiration),
        },
        signature: fromHex(signature),
      })),
      userPublicKey: fromHex(body.userPublicKey),
      authnMethod: 'passkey',
    },
    'Signed in. You can close this window.',
  );
});

refuse.addEventListener('click', () => {
  answer({ kind: 'authorize-client-failure', text: 'The person refused.' }, 'Refused.');
});

if (window.opener) window.opener.postMessage({ kind: 'authorize-ready' }, '*');
else status.textContent = 'Open this page from an app: it has no opener.';
