import { describe, expect, it } from 'vitest';
import { checkClientMessage, checkServerMessage } from './signal_message.js';

// What peerjs 1.5.5 sends (Negotiator._makeOffer, _makeAnswer, onicecandidate), as captured
// from node-datachannel and Chromium peers.
const offer = {
  type: 'OFFER',
  dst: 'disco-0123456789abcdef0123456789abcdef',
  payload: {
    sdp: { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n' },
    type: 'data',
    connectionId: 'dc_4a8x0mt2vqk',
    label: 'dc_4a8x0mt2vqk',
    reliable: true,
    serialization: 'raw',
  },
};
const answer = {
  type: 'ANSWER',
  dst: 'relay-0011223344556677',
  payload: { sdp: { type: 'answer', sdp: 'v=0' }, type: 'data', connectionId: 'dc_4a8x0mt2vqk' },
};
const candidate = {
  type: 'CANDIDATE',
  dst: 'relay-0011223344556677',
  payload: {
    candidate: {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'abcd',
    },
    type: 'data',
    connectionId: 'dc_4a8x0mt2vqk',
  },
};

describe('checkClientMessage (issue #12.9)', () => {
  it.each([offer, answer, candidate, { type: 'HEARTBEAT' }])('accepts %j', (m) => {
    expect(checkClientMessage(m)).toEqual({ ok: true, message: m });
  });

  it.each([
    ['null', null],
    ['a payload of null (the message that ended the relay)', { ...offer, payload: null }],
    [
      'an unknown serialization',
      { ...offer, payload: { ...offer.payload, serialization: 'nope' } },
    ],
    [
      'a serialization from Object.prototype',
      { ...offer, payload: { ...offer.payload, serialization: '__proto__' } },
    ],
    ['a media call', { ...offer, payload: { ...offer.payload, type: 'media' } }],
    ['no sdp', { ...answer, payload: { ...answer.payload, sdp: null } }],
    [
      'a huge sdp',
      {
        ...answer,
        payload: { ...answer.payload, sdp: { type: 'answer', sdp: 'a'.repeat(40_000) } },
      },
    ],
    [
      'an offer as answer',
      { ...answer, payload: { ...answer.payload, sdp: { type: 'offer', sdp: '' } } },
    ],
    [
      'a candidate without mid nor index',
      { ...candidate, payload: { ...candidate.payload, candidate: { candidate: 'x' } } },
    ],
    [
      'an object as connectionId',
      { ...candidate, payload: { ...candidate.payload, connectionId: {} } },
    ],
    ['a forged EXPIRE', { type: 'EXPIRE', dst: 'x' }],
    ['a forged LEAVE', { type: 'LEAVE', dst: 'x' }],
    ['an unknown field', { ...offer, src: 'someone-else' }],
    ['a dst that is no peer id', { ...offer, dst: '../x' }],
  ])('refuses %s', (_name, m) => {
    expect(checkClientMessage(m).ok).toBe(false);
  });
});

describe('checkServerMessage', () => {
  it.each([
    { type: 'OPEN' },
    { type: 'ID-TAKEN', payload: { msg: 'ID is taken' } },
    { type: 'ERROR', payload: { msg: 'Invalid key provided' } },
    { type: 'EXPIRE', src: 'disco-0123456789abcdef0123456789abcdef', dst: 'relay-1' },
    { ...answer, src: 'disco-0123456789abcdef0123456789abcdef' },
  ])('accepts %j', (m) => {
    expect(checkServerMessage(m).ok).toBe(true);
  });

  it.each([
    { type: 'ERROR' }, // PeerJS reads payload.msg
    { ...offer, src: null },
    { ...offer, src: 'attacker', payload: null },
    { type: 'HEARTBEAT' },
    [],
  ])('refuses %j', (m) => {
    expect(checkServerMessage(m).ok).toBe(false);
  });
});
