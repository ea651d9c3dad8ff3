import QRCode from 'qrcode';
import type { Request, Response } from 'express';
import { DiscoError, isDiscoError, startPairing, type Pairing } from '../../sdk/index.js';
import { clientFor } from '../common/company.js';
import type { Step } from '../common/explain.js';
import { ApiError, readObject } from '../common/http.js';
import { FIELDS, fail, viewOf, type ShopContext } from './context.js';
import type { ShopSession } from './state.js';

const UID = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const MAX_QR_CHARS = 1024;

/** The QR code as an `<img>` source: an SVG made here, so the page needs no script for it. */
async function qrImage(payload: string): Promise<string> {
  const svg = await QRCode.toString(payload, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    color: { dark: '#000000ff', light: '#ffffffff' },
  });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** Waits for the device, then registers and asks key A; each waits for the person. */
async function afterPairing(
  ctx: ShopContext,
  s: ShopSession,
  pairing: Pairing,
  signal: AbortSignal,
): Promise<void> {
  let step: Step = 'pairing';
  try {
    const { paired, device, transport } = await pairing.wait({ signal });
    if (signal.aborted) return;
    s.pairing = undefined;
    const client = clientFor(ctx, { isTrusted: false, device, transport });
    step = 'register';
    s.step = 'registering';
    try {
      await client.register(pairing.challenge, { signal });
    } catch (err) {
      // Registered in an earlier visit: the device still knows this certificate and secret.
      if (!isDiscoError(err, 'ERR_CLIENT_EXISTS')) throw err;
    }
    s.registered = true;
    step = 'key_a';
    s.step = 'authorizing';
    const { key_a } = await client.requestKeyA(FIELDS, { signal });
    if (signal.aborted) return;
    s.link = {
      client,
      keyA: key_a,
      deviceId: device.deviceId,
      proxyUrl: paired.proxy_url,
      certificate: paired.certificate,
    };
    s.step = 'connected';
  } catch (err) {
    if (signal.aborted) return;
    s.step = 'idle';
    s.pairing = undefined;
    fail(ctx, s, err, step, signal);
  }
}

/** `POST /api/connect`: starts pairing at the relay for this browser session (docs/demo.md). */
export async function connect(ctx: ShopContext, req: Request, res: Response): Promise<void> {
  readObject(req.body, []);
  const s = ctx.sessions.open(req, res);
  if (ctx.flows.full)
    throw new ApiError('ERR_BUSY', 'Many people are connecting right now. Please try again.');
  const signal = s.begin();
  Object.assign(s, {
    step: 'idle',
    pairing: undefined,
    link: undefined,
    registered: false,
    courier: undefined,
    delivery: undefined,
    problem: undefined,
  });
  let pairing: Pairing;
  try {
    pairing = await startPairing(ctx.relayUrl, ctx.me.identity, {
      fetchFn: ctx.fetchFn,
      trustAnchors: ctx.deviceTrustAnchors,
    }).catch((err: unknown) => {
      if (isDiscoError(err)) throw err;
      // The SDK passes on fetch's own errors for the first request, and JSON errors.
      if (err instanceof TypeError || (err instanceof Error && err.name === 'TimeoutError'))
        throw new DiscoError('ERR_TRANSPORT_FAILED', 'The relay cannot be reached.', {
          cause: err,
        });
      throw new ApiError('ERR_UPSTREAM', 'The Disco relay answered in a way we cannot use.');
    });
    if (!UID.test(pairing.uid) || pairing.qr.length > MAX_QR_CHARS)
      throw new ApiError('ERR_UPSTREAM', 'The Disco relay sent a pairing code we cannot use.');
  } catch (err) {
    fail(ctx, s, err, 'pairing', signal);
    if (signal.aborted)
      throw new ApiError('ERR_WRONG_STATE', 'A newer connection replaced this one.');
    throw new ApiError('ERR_UPSTREAM', s.problem!.message);
  }
  if (signal.aborted)
    throw new ApiError('ERR_WRONG_STATE', 'A newer connection replaced this one.');
  s.pairing = {
    uid: pairing.uid,
    qrImage: await qrImage(pairing.qr),
    expiresAt: Date.now() + pairing.expiresIn * 1000,
  };
  s.step = 'pairing';
  void ctx.flows.run(() => afterPairing(ctx, s, pairing, signal));
  res.status(202).json(viewOf(ctx, s));
}
