import type { Answer, Packet, Question } from 'dns-packet';
import { classifyName, type ZoneName } from '../../../protocol/nodetrust/index.js';
import type { ChallengeStore } from './challenge_store.js';
import type { RelayRecordStore } from './relay_records.js';

/** RFC 1035 §4.1.1 header bits and response codes, and RFC 6891 EDNS sizes. */
export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
export const FLAG_RD = 0x0100;
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;
const EDNS_PAYLOAD = 1232; // the DNS flag day 2020 size: no IP fragmentation

export interface ZoneConfig {
  /** Normal form: lower case, no final dot. */
  readonly zone: string;
  /** Name servers of the zone: a label under it (`ns`) with its address, for NS and glue. */
  readonly nameServers: readonly { readonly label: string; readonly address: string | null }[];
  /** TTLs in seconds. */
  readonly ttl: { readonly records: number; readonly challenge: number; readonly negative: number };
  /** SOA serial (RFC 1912 §2.2: it only has to grow when the zone changes; ours never does). */
  readonly serial: number;
  /** The relays' discovery records (`_disco-relay.p<peer>`); none answered without it. */
  readonly relayRecords?: RelayRecordStore;
}

/** A TXT value longer than 255 bytes goes as several character-strings (RFC 1035 §3.3.14). */
function characterStrings(text: string): string[] {
  return text.match(/.{1,255}/g) ?? [];
}

interface Answered {
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

function soa(config: ZoneConfig, ttl: number): Answer {
  const ns = config.nameServers[0]?.label ?? 'ns';
  return {
    type: 'SOA',
    name: config.zone,
    ttl,
    data: {
      mname: `${ns}.${config.zone}`,
      rname: `hostmaster.${config.zone}`,
      serial: config.serial,
      refresh: 3600,
      retry: 600,
      expire: 604_800,
      minimum: config.ttl.negative, // RFC 2308 §4: the negative-caching TTL
    },
  };
}

function addressRecord(name: string, address: string, ttl: number): Answer {
  return { type: address.includes(':') ? 'AAAA' : 'A', name, ttl, data: address };
}

/** Every RRset at `where`, written under the name exactly as asked (0x20 case kept). */
function recordsAt(
  where: ZoneName,
  asked: string,
  config: ZoneConfig,
  challenges: ChallengeStore,
): Answer[] {
  const { ttl } = config;
  switch (where.kind) {
    case 'apex':
      return [
        { ...soa(config, ttl.records), name: asked },
        ...config.nameServers.map((ns): Answer => ({
          type: 'NS',
          name: asked,
          ttl: ttl.records,
          data: `${ns.label}.${config.zone}`,
        })),
      ];
    case 'host': {
      const address = config.nameServers.find((ns) => ns.label === where.label)?.address;
      return address ? [addressRecord(asked, address, ttl.records)] : [];
    }
    case 'node':
      return where.name.kind === 'peer'
        ? [{ type: 'TXT', name: asked, ttl: ttl.records, data: `id=${where.name.peer.text}` }]
        : [addressRecord(asked, where.name.address, ttl.records)];
    case 'acme':
      return challenges
        .values(where.target)
        .map((value): Answer => ({ type: 'TXT', name: asked, ttl: ttl.challenge, data: value }));
    case 'relay': {
      // a record is replaced when its relay republishes: the short TTL of challenges
      const token = config.relayRecords?.get(where.target);
      return token
        ? [{ type: 'TXT', name: asked, ttl: ttl.challenge, data: characterStrings(token) }]
        : [];
    }
    default:
      return [];
  }
}

/**
 * The authoritative answer to one question (RFC 1034 §4.3.2 for a zone without delegations):
 * REFUSED outside the zone (we are nobody's resolver), NXDOMAIN with the SOA for a name that does
 * not exist, NODATA (NOERROR, no answer, the SOA) for a name without that type, else the RRset.
 * `ANY` gets every RRset of the name. Glue for NS answers comes in the additional section.
 */
export function answerQuestion(
  question: Question,
  config: ZoneConfig,
  challenges: ChallengeStore,
): Answered {
  const where = classifyName(
    question.name,
    config.zone,
    config.nameServers.map((ns) => ns.label),
  );
  const empty = { answers: [], authorities: [], additionals: [] };
  if (where.kind === 'outside' || (question.class !== 'IN' && question.class !== 'ANY')) {
    return { rcode: RCODE.REFUSED, authoritative: false, ...empty };
  }
  const all = recordsAt(where, question.name, config, challenges);
  if (all.length === 0) {
    return {
      rcode: RCODE.NXDOMAIN,
      authoritative: true,
      ...empty,
      authorities: [soa(config, config.ttl.negative)],
    };
  }
  const answers =
    (question.type as string) === 'ANY'
      ? all
      : all.filter((record) => record.type === question.type);
  if (answers.length === 0) {
    return {
      rcode: RCODE.NOERROR,
      authoritative: true,
      ...empty,
      authorities: [soa(config, config.ttl.negative)],
    };
  }
  const additionals = answers.flatMap((record) => {
    if (record.type !== 'NS') return [];
    const ns = config.nameServers.find((n) => `${n.label}.${config.zone}` === record.data);
    return ns?.address ? [addressRecord(record.data, ns.address, config.ttl.records)] : [];
  });
  return { rcode: RCODE.NOERROR, authoritative: true, answers, authorities: [], additionals };
}

/** The response packet to a decoded query (one question, opcode QUERY; checked by the caller). */
export function respond(query: Packet, config: ZoneConfig, challenges: ChallengeStore): Packet {
  const question = query.questions?.[0];
  const rd = (query.flags ?? 0) & FLAG_RD;
  const edns = query.additionals?.some((record) => record.type === 'OPT');
  const opt: Answer[] = edns
    ? [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: EDNS_PAYLOAD,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ]
    : [];
  if (!question) {
    return {
      id: query.id ?? 0,
      type: 'response',
      flags: rd | RCODE.FORMERR,
      questions: [],
      additionals: opt,
    };
  }
  const answered = answerQuestion(question, config, challenges);
  return {
    id: query.id ?? 0,
    type: 'response',
    flags: rd | (answered.authoritative ? FLAG_AA : 0) | answered.rcode,
    questions: [question],
    answers: answered.answers,
    authorities: answered.authorities,
    additionals: [...answered.additionals, ...opt],
  };
}

/** The largest UDP answer the asker accepts (RFC 1035 §4.2.1: 512, or its EDNS size). */
export function udpLimit(query: Packet): number {
  const opt = query.additionals?.find((record) => record.type === 'OPT');
  const size = opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : 512;
  return Math.max(512, Math.min(size, EDNS_PAYLOAD));
}
