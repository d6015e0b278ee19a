// The servers a run measures: built app instances (node build/index.js, in production mode), the
// bare baseline, and nginx in front of two instances.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { behindProxyEnvironment, makeCertificate, mainConfiguration, renderSite } from './nginx-site';
import { freePort, startChild, waitUntilReady, type Child } from './processes';

export interface Server {
	name: string;
	baseUrl: string;
	child: Child;
}

function answers(baseUrl: string, path: string): Promise<boolean> {
	return new Promise((resolve) => {
		const url = new URL(path, baseUrl);
		const client = url.protocol === 'https:' ? https : http;
		client
			.get(
				{ host: url.hostname, port: url.port, path: url.pathname, agent: false, rejectUnauthorized: false },
				(response) => {
					response.resume();
					resolve(response.statusCode === 200);
				}
			)
			.on('error', () => resolve(false));
	});
}

export interface AppOptions {
	/** The snapshot of build/ (see snapshot-build.ts). */
	buildDir: string;
	migrationsDir: string;
	databaseUrl: string;
	/** The URL people open (nginx's, behind it); the instance's own address otherwise. */
	origin?: string;
	port?: number;
	/** Write a V8 CPU profile of the server here when it stops. */
	profileDir?: string;
	poolSize?: number;
	/** Behind nginx: the client address from X-Forwarded-For and a body limit for photos, as deploy/systemd/piaojue.env says. */
	behindProxy?: boolean;
	/** More environment (replicas, metrics token). */
	env?: Record<string, string>;
}

export async function startApp(name: string, options: AppOptions): Promise<Server> {
	const port = options.port ?? (await freePort());
	const baseUrl = `http://127.0.0.1:${port}`;
	const nodeArgs = options.profileDir
		? ['--cpu-prof', '--cpu-prof-dir', options.profileDir, '--cpu-prof-name', `${name.replace(/\W+/g, '-')}.cpuprofile`]
		: [];
	const child = startChild(name, process.execPath, [...nodeArgs, path.join(options.buildDir, 'index.js')], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			HOST: '127.0.0.1',
			PORT: String(port),
			ORIGIN: options.origin ?? baseUrl,
			DATABASE_URL: options.databaseUrl,
			BODY_SIZE_LIMIT: '2M',
			PIAOJUE_MIGRATIONS_DIR: options.migrationsDir,
			// The live scenario's 2,000 projector clients all come from the load generator's one address.
			PIAOJUE_STREAMS_PER_ADDRESS: '100000',
			...(options.poolSize ? { DATABASE_POOL_SIZE: String(options.poolSize) } : {}),
			...(options.behindProxy ? behindProxyEnvironment() : {}),
			...options.env
		}
	});
	await waitUntilReady(child, () => answers(baseUrl, '/healthz'));
	return { name, baseUrl, child };
}

export async function startBaseline(databaseUrl: string, poolSize?: number): Promise<Server> {
	const port = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const child = startChild('bare baseline', process.execPath, ['--import', 'tsx', 'bench/baseline.ts'], {
		env: {
			...process.env,
			NODE_ENV: 'production',
			PORT: String(port),
			DATABASE_URL: databaseUrl,
			...(poolSize ? { DATABASE_POOL_SIZE: String(poolSize) } : {})
		}
	});
	await waitUntilReady(child, () => answers(baseUrl, '/healthz'));
	return { name: 'bare baseline', baseUrl, child };
}

export interface Nginx extends Server {
	/** The plain-HTTP port's URL (it only redirects to HTTPS). */
	httpUrl: string;
	/** Requests per upstream address, from nginx's access log: { 'POST 127.0.0.1:1234': 222, … }. */
	requestsByUpstream(): Record<string, number>;
	/** nginx's error log so far. */
	errorLog(): string;
	/** Removes the temporary folder (after stopping). */
	cleanUp(): void;
}

/**
 * nginx (the Debian package) as a child, running the deployed site file deploy/nginx/piaojue.conf
 * (TLS, HTTP/2) in front of `upstreams`, with everything in a temporary folder.
 */
export async function startNginx(upstreams: string[], httpsPort?: number): Promise<Nginx> {
	const directory = mkdtempSync(path.join(tmpdir(), 'piaojue-nginx-'));
	const removeDirectory = () => rmSync(directory, { recursive: true, force: true });
	// Also when the run is interrupted before it stops nginx itself.
	process.once('exit', removeDirectory);
	// Worker processes run as an unprivileged user when nginx is started as root.
	chmodSync(directory, 0o777);
	const [port, httpPort] = [httpsPort ?? (await freePort()), await freePort()];
	const { certificate, key } = makeCertificate(directory);
	const siteFile = path.join(directory, 'piaojue.conf');
	writeFileSync(
		siteFile,
		renderSite({
			upstreams: upstreams.map((upstream) => new URL(upstream).host),
			httpsPort: port,
			httpPort,
			certificate,
			key,
			acmeRoot: path.join(directory, 'acme')
		})
	);
	const configFile = path.join(directory, 'nginx.conf');
	writeFileSync(configFile, mainConfiguration(directory, siteFile));
	const baseUrl = `https://127.0.0.1:${port}`;
	const child = startChild('nginx', 'nginx', [
		'-p',
		directory,
		'-c',
		configFile,
		'-e',
		path.join(directory, 'error.log')
	]);
	await waitUntilReady(child, () => answers(baseUrl, '/healthz'), 20_000);
	return {
		name: 'nginx',
		baseUrl,
		httpUrl: `http://127.0.0.1:${httpPort}`,
		child,
		requestsByUpstream: () => {
			const counts: Record<string, number> = {};
			let log: string;
			try {
				log = readFileSync(path.join(directory, 'access.log'), 'utf8');
			} catch {
				return counts;
			}
			for (const line of log.split('\n')) {
				const [method, upstream] = line.split(' ');
				if (!method || !upstream) continue;
				const key = `${method} ${upstream}`;
				counts[key] = (counts[key] ?? 0) + 1;
			}
			return counts;
		},
		errorLog: () => {
			try {
				return readFileSync(path.join(directory, 'error.log'), 'utf8');
			} catch {
				return '';
			}
		},
		cleanUp: () => {
			process.removeListener('exit', removeDirectory);
			removeDirectory();
		}
	};
}
