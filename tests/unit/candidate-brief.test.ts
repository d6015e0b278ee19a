// The line under a candidate's title on the ballot (issue 15).
import { describe, expect, it } from 'vitest';
import { BRIEF_MAX_CHARACTERS, candidateBrief } from '../../src/lib/domain/candidate-brief';

describe('candidate brief', () => {
	it('takes the first quantified target', () => {
		expect(candidateBrief('对公办养老院实施智慧化改造，提升照护质量。', ['建成智慧公办养老院10家', '另一项'])).toBe(
			'建成智慧公办养老院10家'
		);
	});
	it('takes the summary’s first sentence without a target', () => {
		expect(candidateBrief('新建幼儿园。增加学位。', [])).toBe('新建幼儿园。');
	});
	it('takes the first clause of a long sentence', () => {
		expect(
			candidateBrief('新建、改扩建一批公办幼儿园，增加普惠性学前教育学位，缓解城区和人口流入地区“入园难”。', [])
		).toBe('新建、改扩建一批公办幼儿园');
	});
	it('keeps English sentences whole', () => {
		expect(candidateBrief('Build ten care homes. Then more.', [])).toBe('Build ten care homes.');
	});
	it('never cuts a text in the middle: a long target stays whole when nothing shorter exists', () => {
		const long = '为'.repeat(BRIEF_MAX_CHARACTERS + 5);
		expect(candidateBrief('', [long])).toBe(long);
	});
	it('is empty when there is nothing to say', () => {
		expect(candidateBrief('', [])).toBe('');
	});
});
