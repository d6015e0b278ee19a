// Cores needed per unit of load, from the CPU-seconds each component used in a measured phase
// (issue 18's capacity table): a component that spent C CPU-seconds on N requests needs C / N cores
// for every request per second, whatever the wall time was. CPU-seconds hold up on a shared
// machine far better than wall times do: a busy neighbour makes each request wait, not work more.

/** Cores of each component for `per` requests per second. */
export interface Cores {
	/** All app instances together. */
	app: number;
	nginx: number;
	primary: number;
	replica: number;
}

/**
 * `cpuSeconds` as CpuMeter reports it (app instances named "app …", "nginx", "postgres primary",
 * "postgres replica"); `requests` the acknowledged requests of the phase.
 */
export function coresPer(cpuSeconds: Record<string, number>, requests: number, per: number): Cores {
	const share = (seconds: number) => (requests > 0 ? Math.round((seconds / requests) * per * 100) / 100 : Number.NaN);
	const app = Object.entries(cpuSeconds)
		.filter(([name]) => name.startsWith('app'))
		.reduce((sum, [, seconds]) => sum + seconds, 0);
	return {
		app: share(app),
		nginx: share(cpuSeconds.nginx ?? 0),
		primary: share(cpuSeconds['postgres primary'] ?? 0),
		replica: share(cpuSeconds['postgres replica'] ?? 0)
	};
}

/** One line for the log and the notes: "app 1.2, nginx 0.1, primary 0.5, replica 0.1 cores". */
export function describeCores(cores: Cores): string {
	return `app ${cores.app}, nginx ${cores.nginx}, primary ${cores.primary}, replica ${cores.replica} cores`;
}
