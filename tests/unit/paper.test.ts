// Reading paper ballots as staff type them (src/lib/domain/paper.ts).
import { describe, expect, it } from 'vitest';
import { formatPaperBallot, readDelegateReferences, readPaperBallots } from '../../src/lib/domain/paper';

const candidates = [101, 102, 103, 104, 105];

describe('readPaperBallots, approval', () => {
	it('maps ballot numbers to candidates, with blank and void lines, ignoring empty lines', () => {
		const reading = readPaperBallots('approval', 2, candidates, '3 1\n\n空白\n2、5\n作废\nblank\n');
		expect(reading).toEqual({
			ok: true,
			voidCount: 1,
			blankCount: 2,
			ballots: [
				{
					isVoid: false,
					channel: 'paper',
					choices: [
						{ candidateId: 101, choice: 'for' },
						{ candidateId: 103, choice: 'for' }
					]
				},
				{ isVoid: false, channel: 'paper', choices: [] },
				{
					isVoid: false,
					channel: 'paper',
					choices: [
						{ candidateId: 102, choice: 'for' },
						{ candidateId: 105, choice: 'for' }
					]
				},
				{ isVoid: true, channel: 'paper', choices: [] },
				{ isVoid: false, channel: 'paper', choices: [] }
			]
		});
	});

	it('counts a ballot ticking more than N as void (无效票), not as an error', () => {
		const reading = readPaperBallots('approval', 2, candidates, '1 2 3\n4');
		expect(reading.ok && reading.voidCount).toBe(1);
		expect(reading.ok && reading.ballots.map((ballot) => ballot.isVoid)).toEqual([true, false]);
	});

	it('reports typing mistakes by line instead of guessing', () => {
		expect(readPaperBallots('approval', 2, candidates, '1\n6\n2 2\nx')).toEqual({
			ok: false,
			problems: [
				{ line: 2, code: 'position_out_of_range', value: '6', candidates: 5 },
				{ line: 3, code: 'duplicate_position', value: '2' },
				{ line: 4, code: 'unreadable', value: 'x' }
			]
		});
		expect(readPaperBallots('approval', 2, candidates, '0').ok).toBe(false);
	});
});

describe('readPaperBallots, for/against/abstain', () => {
	it('reads one letter per candidate in Chinese or Latin letters', () => {
		const reading = readPaperBallots('for_against_abstain', 2, candidates, '赞反弃弃赞\nynaaa');
		expect(reading.ok && reading.ballots[0]?.choices.map((entry) => entry.choice)).toEqual([
			'for',
			'against',
			'abstain',
			'abstain',
			'for'
		]);
		expect(reading.ok && reading.ballots[1]?.choices.map((entry) => entry.choice)).toEqual([
			'for',
			'against',
			'abstain',
			'abstain',
			'abstain'
		]);
	});

	it('voids a ballot with more than N for, and rejects a wrong length or letter', () => {
		const reading = readPaperBallots('for_against_abstain', 2, candidates, 'YYYAA');
		expect(reading.ok && reading.ballots[0]?.isVoid).toBe(true);
		expect(readPaperBallots('for_against_abstain', 2, candidates, 'YNA')).toEqual({
			ok: false,
			problems: [{ line: 1, code: 'wrong_length', length: 3, candidates: 5 }]
		});
		expect(readPaperBallots('for_against_abstain', 2, candidates, 'YNAXA')).toEqual({
			ok: false,
			problems: [{ line: 1, code: 'unreadable', value: 'x' }]
		});
	});
});

describe('readDelegateReferences', () => {
	it('splits by lines, commas and spaces, once each', () => {
		expect(readDelegateReferences('d001\nd002, d003、d001\n\n')).toEqual(['d001', 'd002', 'd003']);
	});
});

describe('formatPaperBallot: a pending batch shown to its scrutineers as it was typed', () => {
	it('gives back the lines readPaperBallots read, for both methods', () => {
		const approval = readPaperBallots('approval', 3, candidates, '3 1\n空白\n作废\n2 4 5');
		if (!approval.ok) throw new Error('unreadable');
		expect(approval.ballots.map((ballot) => formatPaperBallot('approval', candidates, ballot))).toEqual([
			'1 3',
			'空白',
			'作废',
			'2 4 5'
		]);
		const faa = readPaperBallots('for_against_abstain', 2, candidates, 'YNAAY\n赞反弃弃弃\nYYYNN');
		if (!faa.ok) throw new Error('unreadable');
		expect(faa.ballots.map((ballot) => formatPaperBallot('for_against_abstain', candidates, ballot))).toEqual([
			'YNAAY',
			'YNAAA',
			'作废'
		]);
	});
});
