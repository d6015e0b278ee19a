// The operator CLI's bundle (scripts/cli.ts and what it imports from src/, node_modules kept
// external), made once and remade only when a source changed, so `npm run cli` answers in well under
// a second instead of paying for a TypeScript loader at every call. The messages are compiled first
// when they are missing or stale. Used by scripts/run-cli.js and by the tests' global setup.
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileMessages } from './compile-messages.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @param {string[]} parts */
const at = (...parts) => path.join(root, ...parts);
export const CLI_BUNDLE = at('node_modules', '.cache', 'piaojue-cli', 'cli.mjs');
const MESSAGES_OUTPUT = at('src', 'lib', 'paraglide', 'messages.js');

/**
 * The newest modification time under `entry` (0 when it does not exist), skipping `skip`.
 * @param {string} entry
 * @param {string | null} [skip]
 * @returns {number}
 */
function newest(entry, skip = null) {
	if (!existsSync(entry) || entry === skip) return 0;
	const stat = statSync(entry);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let time = stat.mtimeMs;
	for (const child of readdirSync(entry)) time = Math.max(time, newest(path.join(entry, child), skip));
	return time;
}

/** @param {string} file */
const modified = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

async function compileMessagesIfStale() {
	const sources = Math.max(newest(at('messages')), modified(at('project.inlang', 'settings.json')));
	if (modified(MESSAGES_OUTPUT) > sources) return;
	await compileMessages();
}

/** Makes the bundle when it is missing or older than any source; returns its path. */
export async function ensureCliBundle() {
	await compileMessagesIfStale();
	const sources = Math.max(
		newest(at('src'), at('src', 'lib', 'paraglide')),
		newest(at('scripts')),
		modified(MESSAGES_OUTPUT)
	);
	if (modified(CLI_BUNDLE) > sources) return CLI_BUNDLE;
	const { build } = await import('esbuild');
	// Written beside the bundle and renamed over it: a CLI started meanwhile reads a whole file.
	const partial = `${CLI_BUNDLE}.${process.pid}.tmp`;
	await build({
		entryPoints: [at('scripts', 'cli.ts')],
		outfile: partial,
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		packages: 'external',
		alias: { $lib: at('src', 'lib') },
		logLevel: 'warning'
	});
	renameSync(partial, CLI_BUNDLE);
	return CLI_BUNDLE;
}
