// What an operator watches (issue 18): Prometheus metrics through prom-client, served at /metrics
// behind a bearer token. Labels hold routes by their id, outcomes, refusal codes, SQLSTATEs and
// replica positions: nothing personal and nothing about any ballot's or support's content.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { onPoolWait, onPublicRead, onReplicaCheck } from '../db/index';
import { openTurnoutStreamCount } from '../live/stream';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'piaojue_' });

const requestDuration = new Histogram({
	name: 'piaojue_http_request_duration_seconds',
	help: 'Time to answer a request (until its headers, for streams), by method, route id and status',
	labelNames: ['method', 'route', 'status'] as const,
	buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
	registers: [registry]
});

const casts = new Counter({
	name: 'piaojue_casts_total',
	help: 'Ballots cast through the web: acknowledged, or refused by reason',
	labelNames: ['outcome', 'reason'] as const,
	registers: [registry]
});

const supports = new Counter({
	name: 'piaojue_supports_total',
	help: 'Residents’ selection choices saved (acknowledged) or refused by reason',
	labelNames: ['outcome', 'reason'] as const,
	registers: [registry]
});

new Gauge({
	name: 'piaojue_live_stream_clients',
	help: 'Live turnout streams (server-sent events) open in this instance',
	registers: [registry],
	collect() {
		this.set(openTurnoutStreamCount());
	}
});

const poolWaits = new Histogram({
	name: 'piaojue_db_pool_wait_seconds',
	help: 'Time transactions waited for a free connection of the pool (only waits that happened)',
	buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
	registers: [registry]
});

const databaseErrors = new Counter({
	name: 'piaojue_database_errors_total',
	help: 'Requests that failed on a database error, by SQLSTATE or connection error code',
	labelNames: ['code'] as const,
	registers: [registry]
});

const publicReads = new Counter({
	name: 'piaojue_public_reads_total',
	help: 'Reads of public data, by where they ran (replica or primary)',
	labelNames: ['target'] as const,
	registers: [registry]
});

const replicaLag = new Gauge({
	name: 'piaojue_replica_lag_seconds',
	help: 'Seconds a replica was behind the primary at the last check (absent while it is down)',
	labelNames: ['replica'] as const,
	registers: [registry]
});

const replicaUsable = new Gauge({
	name: 'piaojue_replica_usable',
	help: '1 while a replica answers, is a standby and lags within DATABASE_REPLICA_MAX_LAG; else 0',
	labelNames: ['replica'] as const,
	registers: [registry]
});

let wired = false;

/** Connects the metrics to the database module's events (once per process, after the database is open). */
export function wireMetrics(): void {
	if (wired) return;
	wired = true;
	onPoolWait((seconds) => poolWaits.observe(seconds));
	onPublicRead((target) => publicReads.inc({ target }));
	onReplicaCheck((statuses) => {
		for (const { replica, state, lagSeconds } of statuses) {
			const label = { replica: String(replica) };
			if (lagSeconds === null) replicaLag.remove(label);
			else replicaLag.set(label, lagSeconds);
			replicaUsable.set(label, state === 'ok' ? 1 : 0);
		}
	});
}

export function recordRequest(method: string, route: string, status: number, seconds: number): void {
	requestDuration.observe({ method, route, status: String(status) }, seconds);
}

export function recordCast(result: { ok: true } | { ok: false; error: { code: string } }): void {
	if (result.ok) casts.inc({ outcome: 'acknowledged', reason: '' });
	else casts.inc({ outcome: 'refused', reason: result.error.code });
}

export function recordSupport(result: { ok: true } | { ok: false; problem: { code: string } }): void {
	if (result.ok) supports.inc({ outcome: 'acknowledged', reason: '' });
	else supports.inc({ outcome: 'refused', reason: result.problem.code });
}

/** A refusal before the choice reached the database (the form did not parse). */
export function recordRefusedInput(kind: 'cast' | 'support', reason: string): void {
	(kind === 'cast' ? casts : supports).inc({ outcome: 'refused', reason });
}

export function recordDatabaseError(code: string): void {
	databaseErrors.inc({ code });
}
