// The capacity table's arithmetic (bench/harness/capacity.ts): cores per unit of load from the
// CPU-seconds a phase used, the app instances summed, the load generator and others left out.
import { describe, expect, it } from 'vitest';
import { coresPer, describeCores } from '../../bench/harness/capacity';

describe('cores per unit of load', () => {
	it('divides each component’s CPU-seconds by the requests served, scaled to the unit', () => {
		const cpuSeconds = {
			'app 1': 6,
			'app 2': 5,
			'app 3': 4,
			nginx: 1.5,
			'postgres primary': 9,
			'postgres replica': 0.6,
			'load generator': 7,
			others: 30
		};
		// 3,000 supports: 15 app CPU-seconds are 5 ms each, so 1,000 supports/s keep 5 cores busy.
		const cores = coresPer(cpuSeconds, 3000, 1000);
		expect(cores).toEqual({ app: 5, nginx: 0.5, primary: 3, replica: 0.2 });
		expect(describeCores(cores)).toBe('app 5, nginx 0.5, primary 3, replica 0.2 cores');
	});

	it('says nothing (NaN) when no request was served, rather than zero cores', () => {
		const cores = coresPer({ 'app 1': 2, nginx: 1 }, 0, 10_000);
		expect(cores.app).toBeNaN();
		expect(cores.primary).toBeNaN();
	});
});
