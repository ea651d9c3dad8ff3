import type { VerifiedCertificate } from '../certificate/index.js';
import { decodeLeb128 } from '../certificate/index.js';
import type { RequestId } from '../hash/index.js';

/** A call's status as a verified certificate tells it (interface spec §Request status). */
export type RequestStatus =
  | { readonly status: 'replied'; readonly reply: Uint8Array }
  | {
      readonly status: 'rejected';
      readonly rejectCode: bigint | undefined;
      readonly rejectMessage: string;
      readonly errorCode?: string;
    }
  | { readonly status: 'done' }
  | { readonly status: 'pending' };

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Reads `/request_status/<request_id>/…`; anything not yet terminal is `pending`. */
export function requestStatusOf(cert: VerifiedCertificate, requestId: RequestId): RequestStatus {
  const at = (leaf: string) => cert.lookup(['request_status', requestId, leaf]);
  const status = at('status');
  if (status.status !== 'found') return { status: 'pending' };
  switch (text(status.value)) {
    case 'replied': {
      const reply = at('reply');
      return reply.status === 'found'
        ? { status: 'replied', reply: reply.value }
        : { status: 'pending' };
    }
    case 'rejected': {
      const code = at('reject_code');
      const message = at('reject_message');
      const errorCode = at('error_code');
      return {
        status: 'rejected',
        rejectCode: code.status === 'found' ? decodeLeb128(code.value) : undefined,
        rejectMessage: message.status === 'found' ? text(message.value) : '',
        ...(errorCode.status === 'found' ? { errorCode: text(errorCode.value) } : {}),
      };
    }
    case 'done':
      return { status: 'done' };
    default:
      return { status: 'pending' };
  }
}
