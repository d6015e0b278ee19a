// Read replicas (issue 18): PostgreSQL's own streaming replication, configured with
// DATABASE_REPLICA_URL (one or more URLs, comma-separated). Public read-only pages and APIs read
// from a replica (`readPublic` in ./index.ts); every write, and everything a signed-in user reads
// about their own actions, goes to the primary.
//
// Each instance checks every replica once a second. A replica is used only while it answers, is
// in recovery (a standby, not some other primary) and lags at most DATABASE_REPLICA_MAX_LAG
// seconds (default 5). The lag is 0 when the replica has replayed everything the primary had
// written just before the check (pg_current_wal_lsn() on the primary, pg_last_wal_replay_lsn() on
// the replica), else the age of the last transaction it replayed (now() −
// pg_last_xact_replay_timestamp()): an upper bound on how old what it shows can be. A read that
// fails on a replica because it went away is run again on the primary, and the replica is left
// out until a check finds it healthy again.
import { createSql, type Sql } from './client';
import { isDatabaseUnavailable } from './unavailable';

export type ReplicaHealth = 'unknown' | 'ok' | 'lagging' | 'down' | 'not_a_replica';

export interface ReplicaStatus {
	/** 1-based position in DATABASE_REPLICA_URL (no host names or credentials in reports). */
	replica: number;
	state: ReplicaHealth;
	/** Seconds behind the primary at the last check; null when unknown (down, never checked). */
	lagSeconds: number | null;
}

export interface ReplicaOptions {
	maxLagSeconds: number;
	checkIntervalMs: number;
	poolSize: number;
}

/** Replica URLs and bounds from the environment; no URL means no replicas. */
export function replicaConfiguration(env: NodeJS.ProcessEnv = process.env): {
	urls: string[];
	options: ReplicaOptions;
} {
	const urls = (env.DATABASE_REPLICA_URL ?? '')
		.split(',')
		.map((url) => url.trim())
		.filter(Boolean);
	const maxLag = Number(env.DATABASE_REPLICA_MAX_LAG ?? 5);
	return {
		urls,
		options: {
			maxLagSeconds: Number.isFinite(maxLag) && maxLag >= 0 ? maxLag : 5,
			checkIntervalMs: 1000,
			poolSize: Number(env.DATABASE_POOL_SIZE ?? 10)
		}
	};
}

interface Replica {
	index: number;
	url: string;
	sql: Sql;
	state: ReplicaHealth;
	lagSeconds: number | null;
}

/** The replicas of one app instance: their pools, their health, and which one serves the next read. */
export class ReplicaSet {
	readonly #replicas: Replica[];
	readonly #primary: () => Sql;
	readonly #options: ReplicaOptions;
	#next = 0;
	#timer: ReturnType<typeof setInterval> | null = null;
	#checking: Promise<void> | null = null;
	#closed = false;
	/** Called after every check with each replica's status (metrics). */
	onChecked: (statuses: ReplicaStatus[]) => void = () => {};

	constructor(urls: string[], primary: () => Sql, options: ReplicaOptions) {
		this.#primary = primary;
		this.#options = options;
		this.#replicas = urls.map((url, position) => ({
			index: position + 1,
			url,
			sql: this.#openPool(url),
			state: 'unknown',
			lagSeconds: null
		}));
	}

	get size(): number {
		return this.#replicas.length;
	}

	#openPool(url: string): Sql {
		return createSql(url, {
			max: this.#options.poolSize,
			connectTimeoutSeconds: 3,
			applicationName: 'piaojue-replica'
		});
	}

	/** Checks now, then every `checkIntervalMs` (the timer does not keep the process alive). */
	start(): Promise<void> {
		if (this.#replicas.length === 0) return Promise.resolve();
		this.#timer ??= setInterval(() => void this.check(), this.#options.checkIntervalMs);
		this.#timer.unref();
		return this.check();
	}

	/** One round of health checks (a round still running is joined, not doubled). */
	check(): Promise<void> {
		this.#checking ??= this.#checkAll().finally(() => (this.#checking = null));
		return this.#checking;
	}

	async #checkAll(): Promise<void> {
		let primaryLsn: string | null = null;
		try {
			const [row] = await this.#primary()<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
			primaryLsn = row?.lsn ?? null;
		} catch {
			// The primary is away: the replicas' lag cannot be bounded by its position, only by replay age.
		}
		await Promise.all(this.#replicas.map((replica) => this.#checkOne(replica, primaryLsn)));
		this.onChecked(this.statuses());
	}

	async #checkOne(replica: Replica, primaryLsn: string | null): Promise<void> {
		try {
			const [row] = await replica.sql<{ recovering: boolean; caughtUp: boolean | null; replayAge: number | null }[]>`
				select pg_is_in_recovery() as recovering,
					case when ${primaryLsn}::pg_lsn is null or pg_last_wal_replay_lsn() is null then null
						else pg_last_wal_replay_lsn() >= ${primaryLsn}::pg_lsn end as "caughtUp",
					extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp())::float8 as "replayAge"`;
			if (this.#closed || !row) return;
			if (!row.recovering) {
				replica.state = 'not_a_replica';
				replica.lagSeconds = null;
				return;
			}
			const lag = row.caughtUp ? 0 : row.replayAge;
			replica.lagSeconds = lag === null ? null : Math.max(0, lag);
			replica.state = lag !== null && lag <= this.#options.maxLagSeconds ? 'ok' : 'lagging';
		} catch {
			if (!this.#closed) this.#markDown(replica);
		}
	}

	/** Leaves a replica out until a check finds it healthy; its connections are not trusted again (see ./index.ts). */
	#markDown(replica: Replica): void {
		const wasDown = replica.state === 'down';
		replica.state = 'down';
		replica.lagSeconds = null;
		if (wasDown) return;
		const old = replica.sql;
		replica.sql = this.#openPool(replica.url);
		void old.end({ timeout: 1 }).catch(() => {});
	}

	/** A healthy replica's pool (in turn), or null when none is. */
	pick(): { sql: Sql; replica: number } | null {
		const healthy = this.#replicas.filter((replica) => replica.state === 'ok');
		if (healthy.length === 0) return null;
		const chosen = healthy[this.#next++ % healthy.length]!;
		return { sql: chosen.sql, replica: chosen.index };
	}

	/**
	 * Runs a read on a healthy replica, or on the primary when there is none; a read that meets a
	 * replica going away runs again on the primary (reads only: repeating them is harmless).
	 */
	async read<T>(work: (sql: Sql) => Promise<T>, onTarget: (target: 'replica' | 'primary') => void): Promise<T> {
		const picked = this.pick();
		if (!picked) {
			onTarget('primary');
			return work(this.#primary());
		}
		try {
			const result = await work(picked.sql);
			onTarget('replica');
			return result;
		} catch (error) {
			if (!isDatabaseUnavailable(error) && !isRecoveryConflict(error)) throw error;
			const replica = this.#replicas[picked.replica - 1];
			if (replica && isDatabaseUnavailable(error)) this.#markDown(replica);
			onTarget('primary');
			return work(this.#primary());
		}
	}

	statuses(): ReplicaStatus[] {
		return this.#replicas.map(({ index, state, lagSeconds }) => ({
			replica: index,
			state,
			lagSeconds: lagSeconds === null ? null : Math.round(lagSeconds * 1000) / 1000
		}));
	}

	async close(): Promise<void> {
		this.#closed = true;
		if (this.#timer) clearInterval(this.#timer);
		await this.#checking?.catch(() => {});
		await Promise.all(this.#replicas.map((replica) => replica.sql.end({ timeout: 5 }).catch(() => {})));
	}
}

/**
 * A query the standby cancelled because replay needed what it read ("conflict with recovery"):
 * SQLSTATE 40001, which a read-only query on a standby meets for no other reason.
 */
function isRecoveryConflict(error: unknown): boolean {
	return (error as { code?: unknown } | null)?.code === '40001';
}
