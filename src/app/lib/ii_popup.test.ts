import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiscoError } from '../../protocol/errors/index.js';
import {
  CLOSED_POLL_MS,
  parseProviderMessage,
  PopupSignIn,
  providerUrl,
  type PopupHost,
  type PopupWindow,
} from './ii_popup.js';

const PROVIDER = 'https://identity.example';
const SESSION_KEY = Uint8Array.from([0x30, 0x2a, 1, 2, 3]);
const TTL = 3_600_000_000_000n;

const success = () => ({
  kind: 'authorize-client-success',
  delegations: [
    {
      delegation: { pubkey: SESSION_KEY, expiration: 1n << 62n },
      signature: new Uint8Array(64).fill(7),
    },
  ],
  userPublicKey: Uint8Array.from([0x30, 0x2a, 9, 9]),
  authnMethod: 'passkey',
});

class FakePopup implements PopupWindow {
  closed = false;
  focused = 0;
  posted: Array<{ message: unknown; targetOrigin: string }> = [];
  postMessage(message: unknown, targetOrigin: string) {
    this.posted.push({ message, targetOrigin });
  }
  close() {
    this.closed = true;
  }
  focus() {
    this.focused++;
  }
}

class FakeHost implements PopupHost {
  popups: FakePopup[] = [];
  opened: string[] = [];
  listeners = new Set<(event: MessageEvent) => void>();
  blocked = false;
  open(url: string) {
    this.opened.push(url);
    if (this.blocked) return null;
    const popup = new FakePopup();
    this.popups.push(popup);
    return popup;
  }
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void) {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void) {
    this.listeners.delete(listener);
  }
  send(data: unknown, origin: string, source: unknown) {
    for (const l of [...this.listeners]) l({ data, origin, source } as MessageEvent);
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscoError);
  return (err as DiscoError).code;
}

describe('parseProviderMessage (the tagged union)', () => {
  it('reads the three kinds', () => {
    expect(parseProviderMessage({ kind: 'authorize-ready', extra: 1 })).toEqual({
      kind: 'authorize-ready',
    });
    const parsed = parseProviderMessage(success());
    expect(parsed.kind).toBe('authorize-client-success');
    expect(parseProviderMessage({ kind: 'authorize-client-failure', text: 'no' })).toEqual({
      kind: 'authorize-client-failure',
      text: 'no',
    });
  });

  it("reads agent-js's structured-cloned Principal targets", () => {
    const msg = success();
    (msg.delegations[0]!.delegation as Record<string, unknown>).targets = [
      { _arr: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]), _isPrincipal: true },
    ];
    const parsed = parseProviderMessage(msg);
    if (parsed.kind !== 'authorize-client-success') throw new Error('kind');
    expect(parsed.delegations[0]!.delegation.targets).toEqual([
      Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]),
    ]);
  });

  const bad: Array<[string, (m: ReturnType<typeof success>) => unknown]> = [
    ['not an object', () => 'authorize-ready'],
    ['no kind', () => ({})],
    ['unknown kind', () => ({ kind: 'authorize-client' })],
    ['no delegations', (m) => ({ ...m, delegations: [] })],
    ['21 delegations', (m) => ({ ...m, delegations: Array(21).fill(m.delegations[0]) })],
    [
      'expiration as a number',
      (m) => ({
        ...m,
        delegations: [{ ...m.delegations[0], delegation: { pubkey: SESSION_KEY, expiration: 5 } }],
      }),
    ],
    [
      'expiration over 64 bits',
      (m) => ({
        ...m,
        delegations: [
          { ...m.delegations[0], delegation: { pubkey: SESSION_KEY, expiration: 1n << 64n } },
        ],
      }),
    ],
    [
      'pubkey as an array',
      (m) => ({
        ...m,
        delegations: [{ ...m.delegations[0], delegation: { pubkey: [1, 2], expiration: 1n } }],
      }),
    ],
    [
      'empty signature',
      (m) => ({ ...m, delegations: [{ ...m.delegations[0], signature: new Uint8Array(0) }] }),
    ],
    [
      'huge signature',
      (m) => ({
        ...m,
        delegations: [{ ...m.delegations[0], signature: new Uint8Array(65 * 1024) }],
      }),
    ],
    [
      'targets not a list',
      (m) => ({
        ...m,
        delegations: [
          {
            ...m.delegations[0],
            delegation: { ...m.delegations[0]!.delegation, targets: 'aaaaa-aa' },
          },
        ],
      }),
    ],
    [
      'a target too long',
      (m) => ({
        ...m,
        delegations: [
          {
            ...m.delegations[0],
            delegation: { ...m.delegations[0]!.delegation, targets: [new Uint8Array(30)] },
          },
        ],
      }),
    ],
    ['userPublicKey as hex', (m) => ({ ...m, userPublicKey: '302a' })],
    ['authnMethod not text', (m) => ({ ...m, authnMethod: 1 })],
    ['failure without text', () => ({ kind: 'authorize-client-failure' })],
  ];
  it.each(bad)('refuses %s with ERR_II_MESSAGE_MALFORMED', (_name, make) => {
    expect(() => parseProviderMessage(make(success()))).toThrow(
      expect.objectContaining({ code: 'ERR_II_MESSAGE_MALFORMED' }),
    );
  });
});

describe('providerUrl', () => {
  it('forces #authorize and allows http only on loopback', () => {
    expect(providerUrl('https://identity.internetcomputer.org').href).toBe(
      'https://identity.internetcomputer.org/#authorize',
    );
    expect(providerUrl('http://127.0.0.1:8080/x#y').href).toBe('http://127.0.0.1:8080/x#authorize');
    for (const bad of [
      'http://identity.example',
      'javascript:alert(1)',
      'nope',
      'https://u:p@a.example',
    ]) {
      expect(() => providerUrl(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      );
    }
  });
});

describe('PopupSignIn', () => {
  let host: FakeHost;
  let signIn: PopupSignIn;
  beforeEach(() => {
    vi.useFakeTimers();
    host = new FakeHost();
    signIn = new PopupSignIn(host);
  });
  afterEach(() => vi.useRealTimers());

  const start = () =>
    signIn.start({ provider: PROVIDER, sessionPublicKey: SESSION_KEY, maxTimeToLive: TTL });

  it('opens the popup at once, answers authorize-ready, and resolves on success', async () => {
    const result = start();
    expect(host.opened).toEqual([`${PROVIDER}/#authorize`]);
    const popup = host.popups[0]!;
    host.send({ kind: 'authorize-ready' }, PROVIDER, popup);
    expect(popup.posted).toEqual([
      {
        message: { kind: 'authorize-client', sessionPublicKey: SESSION_KEY, maxTimeToLive: TTL },
        targetOrigin: PROVIDER,
      },
    ]);
    host.send(success(), PROVIDER, popup);
    const value = await result;
    expect(value.userPublicKey).toEqual(success().userPublicKey);
    expect(popup.closed).toBe(true);
    expect(host.listeners.size).toBe(0);
    expect(signIn.pending).toBe(false);
  });

  it('sends derivationOrigin when asked', () => {
    void signIn.start({
      provider: PROVIDER,
      sessionPublicKey: SESSION_KEY,
      maxTimeToLive: TTL,
      derivationOrigin: 'https://app.example',
    });
    host.send({ kind: 'authorize-ready' }, PROVIDER, host.popups[0]);
    expect(host.popups[0]!.posted[0]!.message).toMatchObject({
      derivationOrigin: 'https://app.example',
    });
  });

  it('ignores messages from another origin or another window', async () => {
    const result = start();
    const popup = host.popups[0]!;
    const other = new FakePopup();
    host.send({ kind: 'authorize-ready' }, 'https://evil.example', popup);
    host.send({ kind: 'authorize-ready' }, PROVIDER, other);
    expect(popup.posted).toEqual([]);
    host.send({ kind: 'authorize-client-failure', text: 'forged' }, 'https://evil.example', popup);
    host.send({ kind: 'authorize-client-failure', text: 'forged' }, PROVIDER, other);
    host.send('garbage', PROVIDER, other);
    expect(signIn.pending).toBe(true);
    host.send(success(), PROVIDER, popup);
    await expect(result).resolves.toMatchObject({ kind: 'authorize-client-success' });
  });

  it('fails with ERR_II_REFUSED on authorize-client-failure', async () => {
    const result = start();
    host.send({ kind: 'authorize-client-failure', text: 'no' }, PROVIDER, host.popups[0]);
    expect(await codeOf(result)).toBe('ERR_II_REFUSED');
    expect(host.popups[0]!.closed).toBe(true);
  });

  it('fails with ERR_II_MESSAGE_MALFORMED on a bad message from the popup', async () => {
    const result = start();
    host.send({ kind: 'authorize-client-success', delegations: [] }, PROVIDER, host.popups[0]);
    expect(await codeOf(result)).toBe('ERR_II_MESSAGE_MALFORMED');
  });

  it('fails with ERR_II_POPUP_CLOSED when the person closes the popup', async () => {
    const result = start();
    host.popups[0]!.closed = true;
    vi.advanceTimersByTime(CLOSED_POLL_MS);
    expect(await codeOf(result)).toBe('ERR_II_POPUP_CLOSED');
    expect(host.listeners.size).toBe(0);
  });

  it('fails with ERR_II_TIMEOUT and closes the popup', async () => {
    const result = signIn.start({
      provider: PROVIDER,
      sessionPublicKey: SESSION_KEY,
      maxTimeToLive: TTL,
      timeoutMs: 10_000,
    });
    vi.advanceTimersByTime(10_000);
    expect(await codeOf(result)).toBe('ERR_II_TIMEOUT');
    expect(host.popups[0]!.closed).toBe(true);
  });

  it('fails with ERR_II_POPUP_BLOCKED when the browser blocks the popup', async () => {
    host.blocked = true;
    expect(await codeOf(start())).toBe('ERR_II_POPUP_BLOCKED');
    expect(signIn.pending).toBe(false);
  });

  it('focuses the open popup on a second click instead of opening another', async () => {
    const first = start();
    const second = start();
    expect(second).toBe(first);
    expect(host.popups).toHaveLength(1);
    expect(host.popups[0]!.focused).toBe(1);
    host.send(success(), PROVIDER, host.popups[0]);
    await first;
    void start();
    expect(host.popups).toHaveLength(2);
  });

  it('opens a new popup when the open one was closed before the poll noticed', async () => {
    const first = start();
    host.popups[0]!.closed = true;
    const second = start();
    expect(second).not.toBe(first);
    expect(host.popups).toHaveLength(2);
    vi.advanceTimersByTime(CLOSED_POLL_MS);
    expect(await codeOf(first)).toBe('ERR_II_POPUP_CLOSED');
    // The first run's messages and poll are gone; the second popup still finishes.
    host.send({ kind: 'authorize-ready' }, PROVIDER, host.popups[1]);
    expect(host.popups[1]!.posted).toHaveLength(1);
    host.send(success(), PROVIDER, host.popups[1]);
    await expect(second).resolves.toMatchObject({ kind: 'authorize-client-success' });
  });

  it('refuses a provider that is not https before opening anything', async () => {
    const result = signIn.start({
      provider: 'http://identity.example',
      sessionPublicKey: SESSION_KEY,
      maxTimeToLive: TTL,
    });
    expect(await codeOf(result)).toBe('ERR_INVALID_INPUT');
    expect(host.opened).toEqual([]);
  });
});
