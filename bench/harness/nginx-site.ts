// nginx as the deployment runs it, for the benchmark and the tests: deploy/nginx/piaojue.conf, with
// only what must differ on a test machine rewritten (its listen ports on 127.0.0.1, the upstream
// instances, a certificate made for 127.0.0.1), inside a main configuration that keeps nginx's pid,
// logs and temporary files in a folder of its own. A change to the site file that this rewriting
// no longer recognises fails loudly rather than testing something else.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SITE_FILE = path.resolve('deploy/nginx/piaojue.conf');

export interface SiteOptions {
	/** host:port of each app instance. */
	upstreams: string[];
	httpsPort: number;
	httpPort: number;
	certificate: string;
	key: string;
	/** A folder for certbot's challenges (need not exist). */
	acmeRoot: string;
}

/** Replaces every match of `pattern`, and fails when there is none. */
function rewrite(text: string, pattern: RegExp, replacement: string, what: string): string {
	const everywhere = new RegExp(pattern.source, 'g');
	if (!everywhere.test(text)) throw new Error(`${SITE_FILE} changed: no ${what} found to rewrite for the test`);
	return text.replace(everywhere, replacement);
}

/** The deployed site file with the test machine's ports, instances and certificate. */
export function renderSite(options: SiteOptions, site = readFileSync(SITE_FILE, 'utf8')): string {
	let text = site;
	text = rewrite(
		text,
		/(upstream piaojue \{[^}]*?)((?:\n\tserver [^;\n]+;)+)/,
		`$1${options.upstreams.map((upstream) => `\n\tserver ${upstream};`).join('')}`,
		'upstream server list'
	);
	text = rewrite(text, /\n\tlisten \[::\]:\d+[^;\n]*;/, '', 'IPv6 listen');
	text = rewrite(text, /\tlisten 80;/, `\tlisten 127.0.0.1:${options.httpPort};`, 'listen 80');
	text = rewrite(
		text,
		/\tlisten 443 ssl http2;/,
		`\tlisten 127.0.0.1:${options.httpsPort} ssl http2;`,
		'listen 443 ssl http2'
	);
	text = rewrite(text, /\tssl_certificate \S+;/, `\tssl_certificate ${options.certificate};`, 'ssl_certificate');
	text = rewrite(text, /\tssl_certificate_key \S+;/, `\tssl_certificate_key ${options.key};`, 'ssl_certificate_key');
	text = rewrite(text, /\troot \/var\/www\/letsencrypt;/, `\troot ${options.acmeRoot};`, 'certbot root');
	return text;
}

/** The main configuration around the site: nginx in the foreground with everything in `directory`. */
export function mainConfiguration(directory: string, siteFile: string): string {
	return `# Written by the benchmark or a test: nginx as a child process, listening on 127.0.0.1 only.
daemon off;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;

events {
	worker_connections 8192;
}

http {
	log_format upstream '$request_method $upstream_addr $status $request_time';
	access_log ${directory}/access.log upstream;
	client_body_temp_path ${directory}/client_body;
	proxy_temp_path ${directory}/proxy;
	fastcgi_temp_path ${directory}/fastcgi;
	uwsgi_temp_path ${directory}/uwsgi;
	scgi_temp_path ${directory}/scgi;
	keepalive_requests 100000;

	include ${siteFile};
}
`;
}

export const ENVIRONMENT_FILE = path.resolve('deploy/systemd/piaojue.env');

/** The settings deploy/systemd/piaojue.env gives every instance (systemd's KEY=value lines, comments skipped). */
export function deployedEnvironment(file = ENVIRONMENT_FILE): Record<string, string> {
	const settings: Record<string, string> = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
		if (match) settings[match[1]!] = match[2]!;
	}
	return settings;
}

/**
 * What an instance behind the deployed nginx needs from the environment file: where the client's
 * address comes from and how large a body may be. Tests and the benchmark start their instances
 * with these, so the file's values are what they test.
 */
export function behindProxyEnvironment(file = ENVIRONMENT_FILE): Record<string, string> {
	const settings = deployedEnvironment(file);
	const chosen: Record<string, string> = {};
	for (const key of ['ADDRESS_HEADER', 'XFF_DEPTH', 'BODY_SIZE_LIMIT']) {
		const value = settings[key];
		if (value === undefined) throw new Error(`${file} no longer sets ${key}`);
		chosen[key] = value;
	}
	return chosen;
}

/** A self-signed certificate for 127.0.0.1 (openssl), valid for two days. */
export function makeCertificate(directory: string): { certificate: string; key: string } {
	const certificate = path.join(directory, 'certificate.pem');
	const key = path.join(directory, 'key.pem');
	const made = spawnSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			key,
			'-out',
			certificate,
			'-days',
			'2',
			'-subj',
			'/CN=127.0.0.1',
			'-addext',
			'subjectAltName=IP:127.0.0.1'
		],
		{ encoding: 'utf8' }
	);
	if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr || made.error}`);
	return { certificate, key };
}
