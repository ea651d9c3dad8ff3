import dnsPacket from 'dns-packet';
import type { ChallengeStore } from './challenge_store.js';
import { FLAG_QR, FLAG_RD, FLAG_TC, RCODE, respond, udpLimit, type ZoneConfig } from './answer.js';

const OPCODE_MASK = 0x7800;

/** A header-only answer (RFC 1035 §4.1.1) for a query we cannot or will not read further. */
function headerOnly(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  out.writeUInt16BE(FLAG_QR | (query.readUInt16BE(2) & (OPCODE_MASK | FLAG_RD)) | rcode, 2);
  return out;
}

/**
 * The labels of the question name exactly as sent, or undefined if it is compressed or
 * overruns. dns-packet joins labels with '.', so a label that itself contains a '.' would
 * read as two: such names are never ours.
 */
function questionLabels(query: Buffer): string[] | undefined {
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset] ?? 0;
    if (length === 0) return labels;
    if (length > 63) return undefined;
    labels.push(query.toString('latin1', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  return undefined;
}

/**
 * Answers one DNS message, or returns null to stay silent. Responses (QR set) and anything
 * shorter than a header are dropped (answering them could loop two servers or amplify spoofed
 * traffic); an unreadable message gets FORMERR; an opcode other than QUERY gets NOTIMP
 * (RFC 1035 §4.1.1); anything thrown while answering is SERVFAIL, never a crash.
 */
export function handlePacket(
  message: Buffer,
  config: ZoneConfig,
  challenges: ChallengeStore,
  transport: 'udp' | 'tcp',
): Buffer | null {
  if (message.length < 12 || (message.readUInt16BE(2) & FLAG_QR) !== 0) return null;
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return headerOnly(message, RCODE.FORMERR);
  }
  if ((message.readUInt16BE(2) & OPCODE_MASK) !== 0) return headerOnly(message, RCODE.NOTIMP);
  if (query.questions?.length !== 1) return headerOnly(message, RCODE.FORMERR);
  const labels = questionLabels(message);
  if (!labels || labels.some((label) => label.includes('.'))) {
    return headerOnly(message, RCODE.REFUSED);
  }
  try {
    const answer = dnsPacket.encode(respond(query, config, challenges));
    if (transport === 'udp' && answer.length > udpLimit(query)) {
      // RFC 2181 §9: set TC and send what fits (here the question); the asker retries over TCP.
      const truncated = dnsPacket.encode({
        id: query.id,
        type: 'response',
        flags: (query.flags ?? 0) & FLAG_RD,
        questions: query.questions,
      });
      truncated.writeUInt16BE(
        truncated.readUInt16BE(2) | FLAG_TC | (answer.readUInt16BE(2) & 0x040f),
        2,
      );
      return truncated;
    }
    return answer;
  } catch {
    return headerOnly(message, RCODE.SERVFAIL);
  }
}
