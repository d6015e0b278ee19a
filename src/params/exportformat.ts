import type { ParamMatcher } from '@sveltejs/kit';

export const match = ((value: string): value is 'csv' | 'json' =>
	value === 'csv' || value === 'json') satisfies ParamMatcher;
