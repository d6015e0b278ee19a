// The quorum, the threshold stated before the count, and the vote's figures (发出 / 收回 / validity).
import { describe, expect, it } from 'vitest';
import { quorumNeeded, quorumState, thresholdPreview, voteFigures } from '../../src/lib/domain/attendance';
import type { BallotContent } from '../../src/lib/domain/types';
import { normalizeClientAddress, parseNetwork } from '../../src/lib/server/attendance/hall-network';

const ballot = (channel: 'electronic' | 'paper', isVoid = false): BallotContent => ({ isVoid, channel, choices: [] });

describe('quorum', () => {
	it.each([
		['two_thirds', 444, 297],
		['two_thirds', 3, 3],
		['two_thirds', 9, 7],
		['two_thirds', 6, 5],
		['half', 444, 223],
		['half', 4, 3],
		['none', 444, 0]
	] as const)('%s of %i needs %i present', (rule, enrolled, needed) => {
		expect(quorumNeeded(rule, enrolled)).toBe(needed);
	});

	it('is met at the number needed and not one below', () => {
		expect(quorumState('two_thirds', 444, 297)).toMatchObject({ met: true, missing: 0 });
		expect(quorumState('two_thirds', 444, 296)).toMatchObject({ met: false, missing: 1 });
		expect(quorumState('two_thirds', 444, 280)).toMatchObject({ needed: 297, missing: 17 });
	});
});

describe('the threshold before the count', () => {
	it('states the votes for 应到 and 实到, and none yet for ballots cast', () => {
		expect(thresholdPreview('enrolled', { enrolled: 444, present: 420 })).toEqual({
			base: 'enrolled',
			baseCount: 444,
			votesNeeded: 223
		});
		expect(thresholdPreview('present', { enrolled: 444, present: 420 }).votesNeeded).toBe(211);
		expect(thresholdPreview('cast', { enrolled: 444, present: 420 }).votesNeeded).toBeNull();
	});
});

describe('the figures of a vote', () => {
	it('counts electronic ballots issued to those checked in, less those who voted on paper', () => {
		const ballots = [...Array(300).fill(ballot('electronic')), ballot('paper'), ballot('paper', true)];
		const figures = voteFigures(
			{ enrolled: 444, present: 420, quorumRule: 'two_thirds', paperVoters: 2, paperIssued: 5 },
			ballots,
			1
		);
		expect(figures).toEqual({
			enrolled: 444,
			present: 420,
			quorumRule: 'two_thirds',
			quorumNeeded: 297,
			quorumMet: true,
			issued: 423,
			issuedElectronic: 418,
			issuedPaper: 5,
			returned: 302,
			returnedElectronic: 300,
			returnedPaper: 2,
			validBallots: 301,
			voidBallots: 1,
			valid: true
		});
	});

	it('is void when more ballots come back than were issued, and valid when exactly as many', () => {
		const paper = [ballot('paper'), ballot('paper'), ballot('paper')];
		expect(voteFigures({ enrolled: 3, present: 3, paperVoters: 3, paperIssued: 2 }, paper, 0).valid).toBe(false);
		expect(voteFigures({ enrolled: 3, present: 3, paperVoters: 3, paperIssued: 3 }, paper, 0).valid).toBe(true);
	});
});

describe('the hall network', () => {
	it('reads client addresses as PostgreSQL will, IPv4-mapped ones as IPv4', () => {
		expect(normalizeClientAddress('::ffff:10.20.1.2')).toBe('10.20.1.2');
		expect(normalizeClientAddress('[2001:db8::1]')).toBe('2001:db8::1');
		expect(normalizeClientAddress('fe80::1%eth0')).toBe('fe80::1');
		expect(normalizeClientAddress('10.0.0.1, 10.0.0.2')).toBeNull();
		expect(normalizeClientAddress('')).toBeNull();
	});

	it('accepts an address or a range, and refuses what is neither', () => {
		expect(parseNetwork('10.20.0.0/16')).toBe('10.20.0.0/16');
		expect(parseNetwork('192.168.1.7')).toBe('192.168.1.7/32');
		expect(parseNetwork('2001:db8::/48')).toBe('2001:db8::/48');
		expect(parseNetwork('10.0.0.0/33')).toBeNull();
		expect(parseNetwork('300.1.1.1')).toBeNull();
		expect(parseNetwork('hall-wifi')).toBeNull();
	});
});
