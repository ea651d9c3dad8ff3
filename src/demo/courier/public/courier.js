// The courier's dispatch dashboard: polls its own server's JSON API every second and renders
// the deliveries (docs/demo.md). Text goes in with textContent, never as HTML.

const POLL_MS = 1000;
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const list = $('deliveries');
const empty = $('empty');
const status = $('courier-status');

const STATE_NAMES = {
  received: 'Received',
  connecting: 'Contacting device',
  registering: 'Waiting for customer',
  requesting: 'Waiting for customer',
  ready: 'Label ready',
  failed: 'Failed',
};

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const SAFE_ID = /^[0-9A-Z]{8,16}$/;

/** One delivery's card, made once and updated in place (so focus and reading position hold). */
function card(d) {
  const existing = document.querySelector(`[data-testid="delivery-${d.id}"]`);
  if (existing) return existing;
  const li = el('li');
  const article = el('article', 'card delivery');
  article.dataset.testid = `delivery-${d.id}`;
  article.setAttribute('aria-labelledby', `title-${d.id}`);
  const head = el('div', 'delivery-head');
  const h3 = el('h3', '', `Delivery ${d.id}`);
  h3.id = `title-${d.id}`;
  head.append(h3, el('span', 'badge'));
  article.append(head, el('p', 'delivery-status'), el('div', 'label-slot'), el('p', 'meta muted'));
  li.append(article);
  list.prepend(li);
  return article;
}

function renderLabel(slot, label) {
  if (!label) {
    slot.replaceChildren();
    return;
  }
  if (slot.childElementCount) return; // a label never changes once printed
  const box = el('div', 'label');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', `Shipping label for delivery ${label.delivery_id}`);
  const top = el('div', 'label-top');
  top.append(el('span', 'label-courier', label.courier), el('span', 'label-id', label.delivery_id));
  const address = el('address', 'label-address');
  for (const line of label.address) address.append(el('span', 'label-line', line));
  box.append(top, el('p', 'label-to', 'Ship to'), address);
  slot.append(box);
}

function render(data) {
  setText($('courier-fingerprint'), data.courier.fingerprint);
  setText($('courier-name'), data.courier.name);
  const deliveries = data.deliveries.filter((d) => SAFE_ID.test(d.id));
  empty.hidden = deliveries.length > 0;
  const ids = new Set(deliveries.map((d) => `delivery-${d.id}`));
  for (const article of list.querySelectorAll('article')) {
    if (!ids.has(article.dataset.testid ?? '')) article.parentElement?.remove();
  }
  for (const d of [...deliveries].reverse()) {
    const article = card(d);
    const badge = article.querySelector('.badge');
    setText(badge, STATE_NAMES[d.state] ?? d.state);
    badge.className = `badge badge-${d.state}`;
    const line = article.querySelector('.delivery-status');
    setText(line, d.status);
    line.classList.toggle('error', d.state === 'failed');
    renderLabel(article.querySelector('.label-slot'), d.label);
    const received = new Date(d.created_at).toLocaleTimeString();
    setText(
      article.querySelector('.meta'),
      `Received ${received} · customer device ${d.device_fingerprint}`,
    );
  }
  const waiting = deliveries.filter((d) => !['ready', 'failed'].includes(d.state)).length;
  const ready = deliveries.filter((d) => d.state === 'ready').length;
  const failed = deliveries.length - waiting - ready;
  const parts = [
    `${deliveries.length} ${deliveries.length === 1 ? 'delivery' : 'deliveries'}`,
    `${ready} ready`,
    `${waiting} in progress`,
    ...(failed ? [`${failed} failed`] : []),
  ];
  setText(status, deliveries.length ? `${parts.join(', ')}.` : 'No deliveries yet.');
}

async function refresh() {
  try {
    const res = await fetch('/api/deliveries', { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    render(await res.json());
  } catch {
    setText(status, 'Lost contact with the dispatch server. Retrying…');
  }
}

async function loop() {
  await refresh();
  setTimeout(() => void loop(), POLL_MS);
}
void loop();
