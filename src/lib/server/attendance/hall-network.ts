// The hall network (会场网络): a session may accept ballots only from the address ranges (CIDR) of
// the hall's Wi-Fi or voting-device network. The database does not see the client's address, so
// the casting transaction compares the address the app derived (adapter-node's getClientAddress:
// the socket's address, or ADDRESS_HEADER / XFF_DEPTH behind a proxy, as for the sign-in rate
// limits) with the session's frozen networks, in the same statement that reads the session.
import { isIP } from 'node:net';
import type { Sql, TransactionSql } from '../db/client';

/**
 * The client's address as PostgreSQL's inet reads it, or null when it is none: brackets and an
 * IPv6 zone removed, an IPv4-mapped IPv6 address (::ffff:10.0.0.5, how a dual-stack socket reports
 * an IPv4 client) as the IPv4 address it is.
 */
export function normalizeClientAddress(address: string | null | undefined): string | null {
	if (!address) return null;
	let normalized = address.trim();
	if (normalized.startsWith('[') && normalized.endsWith(']')) normalized = normalized.slice(1, -1);
	normalized = normalized.replace(/%.*$/, '');
	const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(normalized);
	if (mapped) normalized = mapped[1] as string;
	return isIP(normalized) ? normalized : null;
}

/**
 * A SQL expression over a voting_session row: true when the session accepts ballots from this
 * address (no networks set, or the address lies in one of them). An address that cannot be read
 * is outside every network.
 */
export function hallNetworkCheck(sql: Sql | TransactionSql, clientAddress: string | null) {
	const address = normalizeClientAddress(clientAddress);
	return sql`(cast_networks is null or coalesce(${address}::inet <<= any(cast_networks), false))`;
}

/**
 * One network as typed: an address with an optional prefix length ("10.20.0.0/16", "192.168.1.7",
 * "2001:db8::/48"). Returns the text PostgreSQL reads as inet, or null when it is not one.
 */
export function parseNetwork(text: string): string | null {
	const match = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
	if (!match) return null;
	const address = normalizeClientAddress(match[1]);
	if (!address) return null;
	const maxPrefix = isIP(address) === 4 ? 32 : 128;
	const prefix = match[2] === undefined ? maxPrefix : Number(match[2]);
	if (prefix > maxPrefix) return null;
	return `${address}/${prefix}`;
}
