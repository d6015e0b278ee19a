// The built app (adapter-node, build/) started as a real server on 127.0.0.1 for a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export interface RunningApp {
	baseUrl: string;
	/** Everything the server printed (stdout and stderr). */
	log: () => string;
	stop(): Promise<void>;
	/** Sends a signal (e.g. SIGKILL to crash the server) and resolves when the process has gone. */
	kill(signal: NodeJS.Signals): Promise<void>;
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
			);
		});
	});
}

export async function startApp(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningApp> {
	if (!existsSync('build/index.js'))
		throw new Error('build/ is missing: run `npm test` (it builds first) or `npm run build`');
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	let output = '';
	const child: ChildProcess = spawn(process.execPath, ['build/index.js'], {
		env: {
			...process.env,
			DATABASE_URL: databaseUrl,
			HOST: '127.0.0.1',
			PORT: String(port),
			ORIGIN: baseUrl,
			DATABASE_POOL_SIZE: '10',
			BODY_SIZE_LIMIT: '2M',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	child.stdout?.on('data', (chunk) => (output += chunk));
	child.stderr?.on('data', (chunk) => (output += chunk));
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
		try {
			const response = await fetch(`${baseUrl}/healthz`);
			if (response.ok) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`the app did not start: ${output}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		baseUrl,
		log: () => output,
		stop: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
		kill: (signal) =>
			new Promise((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill(signal);
			})
	};
}

/** A cookie-keeping HTTP client that behaves like a browser without JavaScript. */
export class Visitor {
	private cookies = new Map<string, string>();

	constructor(
		readonly baseUrl: string,
		private readonly headers: Record<string, string> = {}
	) {}

	private remember(response: Response) {
		for (const cookie of response.headers.getSetCookie()) {
			const [pair] = cookie.split(';');
			const [name, ...value] = (pair ?? '').split('=');
			if (!name) continue;
			if (/max-age=0/i.test(cookie) || value.join('=') === '') this.cookies.delete(name.trim());
			else this.cookies.set(name.trim(), value.join('='));
		}
	}

	private cookieHeader(): string {
		return [...this.cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	async get(path: string): Promise<Response> {
		const response = await fetch(new URL(path, this.baseUrl), {
			redirect: 'manual',
			headers: { cookie: this.cookieHeader(), ...this.headers }
		});
		this.remember(response);
		return response;
	}

	/** Posts a form as a browser would (same origin unless `origin` says otherwise). */
	async post(
		path: string,
		fields: [string, string][] | Record<string, string>,
		options: { origin?: string } = {}
	): Promise<Response> {
		const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields));
		const response = await fetch(new URL(path, this.baseUrl), {
			method: 'POST',
			redirect: 'manual',
			body,
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				accept: 'text/html,application/xhtml+xml',
				origin: options.origin ?? this.baseUrl,
				cookie: this.cookieHeader(),
				...this.headers
			}
		});
		this.remember(response);
		return response;
	}

	async signIn(username: string, password: string): Promise<Response> {
		return this.post('/login', { username, password });
	}

	hasCookie(name: string): boolean {
		return this.cookies.has(name);
	}
}
