// For the browser tests: a page that is not the app's sign-in popup (another window, or the popup
// navigated to another origin) posts the provider's answers to its opener. The app must ignore
// every one of them.
const status = document.getElementById('status');
if (!window.opener) {
  status.textContent = 'No opener.';
} else {
  const forged = [
    { kind: 'authorize-ready' },
    { kind: 'authorize-client-failure', text: 'forged' },
    { kind: 'authorize-client-success', delegations: [], userPublicKey: new Uint8Array(44) },
  ];
  for (const message of forged) window.opener.postMessage(message, '*');
  status.textContent = `Sent ${forged.length} forged messages.`;
}
