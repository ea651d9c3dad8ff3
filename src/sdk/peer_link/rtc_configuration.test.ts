import { describe, expect, it } from 'vitest';
import { rtcConfiguration } from './rtc_configuration.js';

const turn = (credential: string): RTCIceServer => ({
  urls: ['turn:127.0.0.1:3478?transport=udp'],
  username: 'u',
  credential,
});

describe('the RTCConfiguration given to PeerJS', () => {
  it('has no ICE servers by default, never PeerJS public ones', () => {
    const config = rtcConfiguration({});
    expect({ ...config }).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
    expect(JSON.stringify(config)).toBe('{"iceServers":[],"iceTransportPolicy":"all"}');
  });

  it('carries a fixed list and policy', () => {
    const config = rtcConfiguration({ iceServers: [turn('a')], iceTransportPolicy: 'relay' });
    expect({ ...config }).toEqual({ iceServers: [turn('a')], iceTransportPolicy: 'relay' });
  });

  it('reads a function again on every read, as each new RTCPeerConnection does', () => {
    let current = [turn('first')];
    let policy: RTCIceTransportPolicy = 'relay';
    const config = rtcConfiguration({
      iceServers: () => current,
      iceTransportPolicy: () => policy,
    });
    expect(Object.keys(config)).toEqual(['iceServers', 'iceTransportPolicy']); // spreadable
    const one = { ...config };
    current = [turn('second'), { urls: 'stun:127.0.0.1:3478' }];
    policy = 'all';
    const two = { ...config };
    expect(one.iceServers).toEqual([turn('first')]);
    expect(one.iceTransportPolicy).toBe('relay');
    expect(two.iceServers).toEqual([turn('second'), { urls: 'stun:127.0.0.1:3478' }]);
    expect(two.iceTransportPolicy).toBe('all');
  });

  it('hands out copies, so a consumer that normalises in place cannot change ours', () => {
    const source = [turn('a'), { urls: 'stun:127.0.0.1:3478' }];
    const config = rtcConfiguration({ iceServers: source });
    const read = config.iceServers!;
    (read[0]!.urls as string[]).push('turn:evil.example');
    read[1]!.urls = ['stun:evil.example']; // what node-datachannel's polyfill does to a string
    expect(source).toEqual([turn('a'), { urls: 'stun:127.0.0.1:3478' }]);
    expect(config.iceServers).toEqual(source);
  });
});
