// Helpers for the security tests: a raw HTTP client that can send anything a hostile client
// could (any method, raw bytes, any content type, a frozen stolen cookie), a snapshot of the whole
// database to prove a request changed nothing, and a check that a response leaks no internals.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Sql } from '../../src/lib/server/db/client';
import { TEST_PASSWORD } from './factory';

export interface SentRequest {
	method?: string;
	/** A form (URL-encoded), raw bytes or text sent as they are, a FormData (multipart), or a stream (sent chunked, without a length). */
	body?: [string, string][] | Record<string, string> | Uint8Array | string | FormData | ReadableStream<Uint8Array>;
	contentType?: string;
	/** The Origin header; the app's own origin unless given (null: no Origin header at all). */
	origin?: string | null;
	headers?: Record<string, string>;
	accept?: string;
	/** To abort a request whose body never ends (an event stream). */
	signal?: AbortSignal;
}

/**
 * A cookie-keeping HTTP client. Unlike the Visitor it sends any method and any bytes, and with
 * `frozenCookies` it keeps sending the cookies it had even when the server deletes them (a stolen
 * or stale cookie replayed by an attacker).
 */
export class HttpAgent {
	private cookies = new Map<string, string>();
	frozenCookies = false;

	constructor(readonly baseUrl: string) {}

	private remember(response: Response) {
		if (this.frozenCookies) return;
		for (const cookie of response.headers.getSetCookie()) {
			const [pair] = cookie.split(';');
			const [name, ...value] = (pair ?? '').split('=');
			if (!name) continue;
			if (/max-age=0/i.test(cookie) || value.join('=') === '') this.cookies.delete(name.trim());
			else this.cookies.set(name.trim(), value.join('='));
		}
	}

	cookie(name: string): string | undefined {
		return this.cookies.get(name);
	}

	async request(pathname: string, sent: SentRequest = {}): Promise<Response> {
		const method = sent.method ?? (sent.body === undefined ? 'GET' : 'POST');
		const headers: Record<string, string> = {
			accept: sent.accept ?? 'text/html,application/xhtml+xml',
			...sent.headers
		};
		const cookie = [...this.cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
		if (cookie) headers.cookie = cookie;
		if (method !== 'GET' && method !== 'HEAD' && sent.origin !== null) headers.origin = sent.origin ?? this.baseUrl;
		let body: BodyInit | undefined;
		if (sent.body instanceof FormData || sent.body instanceof ReadableStream || typeof sent.body === 'string')
			body = sent.body;
		else if (sent.body instanceof Uint8Array) body = sent.body as unknown as BodyInit;
		else if (sent.body !== undefined) {
			body = new URLSearchParams(Array.isArray(sent.body) ? sent.body : Object.entries(sent.body));
			headers['content-type'] = 'application/x-www-form-urlencoded';
		}
		if (sent.contentType) headers['content-type'] = sent.contentType;
		const init: RequestInit & { duplex?: 'half' } = { method, redirect: 'manual', headers, body, signal: sent.signal };
		if (body instanceof ReadableStream) init.duplex = 'half';
		const response = await fetch(new URL(pathname, this.baseUrl), init);
		this.remember(response);
		return response;
	}

	get(pathname: string): Promise<Response> {
		return this.request(pathname);
	}

	post(pathname: string, body: SentRequest['body'] = [], options: Omit<SentRequest, 'body'> = {}): Promise<Response> {
		return this.request(pathname, { ...options, method: 'POST', body });
	}
}

/** A client signed in through the real sign-in form. */
export async function signedInAgent(baseUrl: string, username: string, password = TEST_PASSWORD): Promise<HttpAgent> {
	const agent = new HttpAgent(baseUrl);
	const response = await agent.post('/login', { username, password });
	if (response.status !== 303 || !agent.cookie('piaojue_session'))
		throw new Error(`sign-in of ${username} failed with ${response.status}`);
	return agent;
}

export interface DatabaseSnapshot {
	/** Rows per table, for every table of the public schema. */
	counts: Record<string, number>;
	/** A digest of every row of the tables that hold the vote and its record. */
	digests: Record<string, string>;
}

/** Tables whose content (not just their size) must not change under a refused request. */
export const DIGESTED_TABLES = [
	'ballot',
	'ballot_choice',
	'ballot_mark',
	'audit_entry',
	'voting_session',
	'voting_result',
	'electorate_member',
	'candidate',
	'category',
	'app_user',
	'access_code',
	'paper_batch'
] as const;

export async function databaseSnapshot(sql: Sql): Promise<DatabaseSnapshot> {
	const tables = await sql<{ name: string }[]>`
		select table_name as name from information_schema.tables
		where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
	const counts: Record<string, number> = {};
	const digests: Record<string, string> = {};
	for (const { name } of tables) {
		const [row] = await sql<{ count: number }[]>`select count(*)::int as count from ${sql(name)}`;
		counts[name] = row?.count ?? 0;
	}
	for (const name of DIGESTED_TABLES) {
		if (!(name in counts)) continue;
		const [row] = await sql<{ digest: string | null }[]>`
			select md5(coalesce(string_agg(t::text, E'\n' order by t::text), '')) as digest from ${sql(name)} t`;
		digests[name] = row?.digest ?? '';
	}
	return { counts, digests };
}

/** Signs that a response carries internals: a stack trace, a source path, an SQL error. */
const LEAK_PATTERNS: [string, RegExp][] = [
	['stack frame', /\n\s+at [\w.<>$]+ \(|\bat async\b|\bat file:\/\//],
	['source path', /\/build\/server\/|node_modules\/|\/src\/lib\/server\//],
	[
		'PostgreSQL error',
		/PostgresError|syntax error at or near|violates (?:foreign key|unique|check) constraint|invalid byte sequence for encoding/i
	],
	['JavaScript error name', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError): /]
];

/** The first internal detail found in a body, or null. */
export function leakIn(body: string): string | null {
	for (const [name, pattern] of LEAK_PATTERNS) {
		const match = pattern.exec(body);
		if (match) return `${name}: ${body.slice(Math.max(0, match.index - 80), match.index + 120)}`;
	}
	return null;
}

export type RouteKind = 'page' | 'endpoint';

/** One route of src/routes as a request sees it: a page (GET, and POST to its actions) or an endpoint (its exported methods). */
export interface RouteInventoryEntry {
	routeId: string;
	kind: RouteKind;
	/** Page: the action names ('default' for a default action). Endpoint: the HTTP methods exported. */
	handlers: string[];
}

const HTTP_METHOD_NAMES = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'fallback']);

/** The names a module exports (declarations and `export { … }`). */
function exportedNames(source: ts.SourceFile): Map<string, ts.Node> {
	const names = new Map<string, ts.Node>();
	for (const statement of source.statements) {
		const exported =
			ts.canHaveModifiers(statement) &&
			ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
		if (ts.isVariableStatement(statement) && exported) {
			for (const declaration of statement.declarationList.declarations) {
				if (ts.isIdentifier(declaration.name)) names.set(declaration.name.text, declaration.initializer ?? declaration);
			}
		} else if (ts.isFunctionDeclaration(statement) && exported && statement.name) {
			names.set(statement.name.text, statement);
		} else if (
			ts.isExportDeclaration(statement) &&
			statement.exportClause &&
			ts.isNamedExports(statement.exportClause)
		) {
			for (const element of statement.exportClause.elements) names.set(element.name.text, element);
		}
	}
	return names;
}

/** The keys of the `actions` object literal of a +page.server.ts. */
function actionNames(file: string): string[] {
	const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
	const actions = exportedNames(source).get('actions');
	if (!actions) return [];
	let literal: ts.Node = actions;
	while (ts.isSatisfiesExpression(literal) || ts.isAsExpression(literal) || ts.isParenthesizedExpression(literal))
		literal = literal.expression;
	if (!ts.isObjectLiteralExpression(literal))
		throw new Error(`${file}: actions is not an object literal; list its actions by hand`);
	return literal.properties.map((property) => {
		if (ts.isSpreadAssignment(property) || !property.name) throw new Error(`${file}: an action without a plain name`);
		return property.name.getText(source).replace(/^['"]|['"]$/g, '');
	});
}

/** Every page and endpoint under `routesDirectory`, with its actions or methods, sorted by route id. */
export function routeInventory(routesDirectory = path.resolve('src/routes')): RouteInventoryEntry[] {
	const entries: RouteInventoryEntry[] = [];
	const walk = (directory: string) => {
		const files = readdirSync(directory);
		const routeId =
			'/' +
			path
				.relative(routesDirectory, directory)
				.split(path.sep)
				.filter((segment) => segment !== '' && !/^\(.*\)$/.test(segment))
				.join('/');
		if (files.some((file) => /^\+page(@.*)?\.(svelte|server\.ts|ts)$/.test(file))) {
			const server = files.find((file) => file === '+page.server.ts');
			entries.push({ routeId, kind: 'page', handlers: server ? actionNames(path.join(directory, server)) : [] });
		}
		if (files.includes('+server.ts')) {
			const file = path.join(directory, '+server.ts');
			const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
			entries.push({
				routeId,
				kind: 'endpoint',
				handlers: [...exportedNames(source).keys()].filter((name) => HTTP_METHOD_NAMES.has(name))
			});
		}
		for (const file of files) {
			const child = path.join(directory, file);
			if (statSync(child).isDirectory()) walk(child);
		}
	};
	walk(routesDirectory);
	return entries.sort((a, b) => a.routeId.localeCompare(b.routeId) || a.kind.localeCompare(b.kind));
}
