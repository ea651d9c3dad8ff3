/**
 * Peer addresses a public TURN server must never relay to, as coturn's `denied-peer-ip` values
 * (`first-last` or one address: coturn 4.6 reads no CIDR, userdb.c `add_ip_list_range`). From the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates), keeping every
 * block that is not globally reachable or that maps onto IPv4 (a mapped, NAT64 or 6to4 address
 * would reach a private IPv4 host past the IPv4 list).
 *
 * Two quirks of coturn 4.6's range check (ns_turn_ioaddr.c `ioa_addr_in_range`) shape the list:
 * a range that starts at the all-zero address holds every address of both families (so none
 * starts at 0.0.0.0 or ::, which coturn refuses as peers anyway), and IPv6 ends are compared
 * byte by byte, which is exact only for whole CIDR blocks (so every IPv6 range is one; the
 * deprecated IPv4-compatible block ::/96, which no kernel routes, is left out for that reason).
 *
 * Cloud metadata services are inside these: 169.254.169.254 (AWS, GCP, Azure, Oracle) is
 * link-local, 100.100.100.200 (Alibaba) is shared address space, fd00:ec2::254 (AWS IPv6) is
 * unique-local.
 */
export const DENIED_PEER_RANGES: readonly string[] = [
  // IPv4
  '0.0.0.1-0.255.255.255', // "this network" (RFC 791)
  '10.0.0.0-10.255.255.255', // private (RFC 1918)
  '100.64.0.0-100.127.255.255', // shared address space, carrier-grade NAT (RFC 6598)
  '169.254.0.0-169.254.255.255', // link-local, cloud metadata (RFC 3927)
  '172.16.0.0-172.31.255.255', // private (RFC 1918)
  '192.0.0.0-192.0.0.255', // IETF protocol assignments (RFC 6890)
  '192.0.2.0-192.0.2.255', // TEST-NET-1 (RFC 5737)
  '192.88.99.0-192.88.99.255', // 6to4 relay anycast (RFC 7526)
  '192.168.0.0-192.168.255.255', // private (RFC 1918)
  '198.18.0.0-198.19.255.255', // benchmarking (RFC 2544)
  '198.51.100.0-198.51.100.255', // TEST-NET-2 (RFC 5737)
  '203.0.113.0-203.0.113.255', // TEST-NET-3 (RFC 5737)
  '224.0.0.0-239.255.255.255', // multicast (RFC 5771)
  '240.0.0.0-255.255.255.255', // reserved and limited broadcast (RFC 1112, RFC 919)
  // IPv6
  '::ffff:0:0-::ffff:ffff:ffff', // IPv4-mapped (RFC 4291 2.5.5.2)
  '64:ff9b::-64:ff9b::ffff:ffff', // NAT64 well-known prefix (RFC 6052)
  '64:ff9b:1::-64:ff9b:1:ffff:ffff:ffff:ffff:ffff', // NAT64 local use (RFC 8215)
  '100::-100::ffff:ffff:ffff:ffff', // discard-only (RFC 6666)
  '2001::-2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', // IETF protocol assignments, Teredo (RFC 2928)
  '2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', // documentation (RFC 3849)
  '2002::-2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // 6to4, embeds IPv4 (RFC 3056)
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // unique-local (RFC 4193)
  'fe80::-feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // link-local and old site-local (RFC 4291)
  'ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // multicast (RFC 4291)
];

/**
 * Loopback (RFC 1122, RFC 4291): denied too, unless the server runs for loopback peers only.
 * coturn refuses loopback peers without `allow-loopback-peers` already; listing them keeps the
 * refusal when someone adds that switch by hand.
 */
export const LOOPBACK_PEER_RANGES: readonly string[] = ['127.0.0.0-127.255.255.255', '::1'];
