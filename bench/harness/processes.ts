// The processes the benchmark starts (app instances, the bare baseline, nginx): started as
// children, their resident memory sampled from /proc, and every one of them stopped at the end,
// also when the run fails or is interrupted.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))
			);
		});
	});
}

/** Resident memory of a process in MB (VmRSS of /proc/PID/status), or null once it has gone. */
export function residentMb(pid: number): number | null {
	try {
		const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) / 1024 : null;
	} catch {
		return null;
	}
}

/** Samples a process's RSS every 100 ms; `peak()` since the last `reset()`. */
export class RssSampler {
	#peak = 0;
	#overallPeak = 0;
	#last = 0;
	readonly #timer: ReturnType<typeof setInterval>;

	constructor(readonly pid: number) {
		this.#sample();
		this.#timer = setInterval(() => this.#sample(), 100);
		this.#timer.unref();
	}

	#sample(): void {
		const mb = residentMb(this.pid);
		if (mb === null) return;
		this.#last = mb;
		this.#peak = Math.max(this.#peak, mb);
		this.#overallPeak = Math.max(this.#overallPeak, mb);
	}

	reset(): void {
		this.#sample();
		this.#peak = this.#last;
	}

	peak(): number {
		this.#sample();
		return this.#peak;
	}

	overallPeak(): number {
		return this.#overallPeak;
	}

	current(): number {
		this.#sample();
		return this.#last;
	}

	stop(): void {
		clearInterval(this.#timer);
	}
}

export interface Child {
	name: string;
	process: ChildProcess;
	rss: RssSampler;
	/** Everything it printed (the last 64 KB). */
	output(): string;
	stop(): Promise<void>;
}

const children = new Set<Child>();
let logDirectory: string | null = null;

/** Children started from now on also write everything they print to DIRECTORY/<name>.log. */
export function keepChildLogs(directory: string): void {
	logDirectory = directory;
}

/** Starts a child whose output is kept (for error messages) and which `stopAll` will stop. */
export function startChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
	const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
	// A program that cannot be started (ENOENT) emits 'error': without a listener that would end the
	// whole run; it fails this start instead.
	child.on('error', () => {});
	if (!child.pid) throw new Error(`${name} did not start: ${command} could not be run (is it installed?)`);
	let output = '';
	const logFile: WriteStream | null = logDirectory
		? createWriteStream(path.join(logDirectory, `${name.replace(/\W+/g, '-')}.log`), { flags: 'a' })
		: null;
	const keep = (chunk: Buffer) => {
		output = (output + chunk.toString('utf8')).slice(-65_536);
		logFile?.write(chunk);
	};
	child.once('exit', () => logFile?.end());
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	const rss = new RssSampler(child.pid);
	const entry: Child = {
		name,
		process: child,
		rss,
		output: () => output,
		stop: async () => {
			rss.stop();
			children.delete(entry);
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.kill('SIGTERM');
			const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
			await exited;
			clearTimeout(forced);
		}
	};
	children.add(entry);
	return entry;
}

/** Stops every child still running (in reverse order of starting). */
export async function stopAllChildren(): Promise<void> {
	await Promise.all([...children].reverse().map((child) => child.stop().catch(() => {})));
}

/** Kills what is left at once, synchronously (for process exit). */
export function killAllChildrenNow(): void {
	for (const child of children) {
		if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
	}
}

/** Waits until `probe` answers true, or fails when the child exits or the time runs out. */
export async function waitUntilReady(child: Child, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.process.exitCode !== null)
			throw new Error(`${child.name} exited (code ${child.process.exitCode}):\n${child.output()}`);
		if (await probe().catch(() => false)) return;
		if (Date.now() > deadline) throw new Error(`${child.name} was not ready after ${timeoutMs} ms:\n${child.output()}`);
		await sleep(100);
	}
}

/** CPU seconds (user + system) a process has used so far, from /proc/PID/stat; 0 once it has gone. */
export function cpuSeconds(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name (which may hold spaces) start at state, field 3.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
	} catch {
		return 0;
	}
}

/** A process and its direct children (a postmaster's backends and writers, nginx's workers). */
export function withChildren(pid: number): number[] {
	const pids = [pid];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (parent === pid) pids.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return pids;
}

/** The postmaster of a data directory and its children (backends, writers). */
export function postgresPids(databaseDir: string): number[] {
	let postmaster: number;
	try {
		postmaster = Number(readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	} catch {
		return [];
	}
	return withChildren(postmaster);
}

/** CPU seconds the whole machine has been busy (all cores; from the first line of /proc/stat). */
export function machineBusySeconds(): number {
	const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
	// user nice system idle iowait irq softirq steal: everything but idle and iowait.
	const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
	return (user + nice + system + irq + softirq + steal) / 100;
}

/**
 * CPU used by groups of processes between `start()` and `stop()`, in seconds, and by everything
 * else on the machine ("others": other people's work on a shared machine makes a run noisy). Processes that exit in
 * between lose what they used (the pool's backends live as long as the run).
 */
export class CpuMeter {
	#before = new Map<string, Map<number, number>>();
	#clientBefore = process.cpuUsage();
	#machineBefore = 0;

	constructor(readonly groups: () => Record<string, number[]>) {}

	start(): void {
		this.#before = new Map(
			Object.entries(this.groups()).map(([name, pids]) => [name, new Map(pids.map((pid) => [pid, cpuSeconds(pid)]))])
		);
		this.#clientBefore = process.cpuUsage();
		this.#machineBefore = machineBusySeconds();
	}

	stop(): Record<string, number> {
		const used: Record<string, number> = {};
		for (const [name, pids] of Object.entries(this.groups())) {
			const before = this.#before.get(name) ?? new Map<number, number>();
			used[name] = Math.round(pids.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0) * 100) / 100;
		}
		const client = process.cpuUsage(this.#clientBefore);
		used['load generator'] = Math.round((client.user + client.system) / 10_000) / 100;
		const ours = Object.values(used).reduce((sum, seconds) => sum + seconds, 0);
		used.others = Math.max(0, Math.round((machineBusySeconds() - this.#machineBefore - ours) * 100) / 100);
		return used;
	}
}
