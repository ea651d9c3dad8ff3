/**
 * Request budgets per window (all counted in the same window). Addresses are whole IPv4
 * addresses and IPv6 /56 prefixes (one subscriber's usual allocation), so an attacker with a
 * block of IPv6 addresses gets one budget, not 2^72.
 */
export interface RateLimitConfig {
  /** Window length in milliseconds (default one minute). */
  readonly windowMs: number;
  /** `GET /uid` per client address. */
  readonly createPerAddress: number;
  /** `GET /uid` per relying-party certificate (thumbprint). */
  readonly createPerCertificate: number;
  /** `POST /uid` per client address: the guessing budget of one address. */
  readonly pairPerAddress: number;
  /**
   * Failed guesses (`POST /uid` answered 404 or 409; malformed bodies do not count) from all
   * addresses together: the guessing budget of the world.
   */
  readonly pairFailuresPerRelay: number;
  /** `GET /uid/<uid>/wait` per client address. */
  readonly waitPerAddress: number;
  /** `GET /ice-servers` per client address (each answer is a set of TURN credentials). */
  readonly icePerAddress: number;
  /**
   * Signalling OFFERs from one client address to one peer: each makes the peer (a device) build
   * an RTCPeerConnection. The relay's own link opens a few per device and minute.
   */
  readonly offersPerSource: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  windowMs: 60_000,
  createPerAddress: 30,
  createPerCertificate: 30,
  pairPerAddress: 10,
  pairFailuresPerRelay: 300,
  waitPerAddress: 300,
  icePerAddress: 60,
  offersPerSource: 60,
};
