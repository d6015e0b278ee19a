// `npm start`: build if needed, open the database (the embedded one when DATABASE_URL is unset),
// migrate, load the demo data into an empty database, then run the adapter-node server.
import path from 'node:path';
import { buildIfNeeded } from './build-if-needed';
import { defaultDataRoot } from '../src/lib/server/db/embedded';
import { databaseStartReport } from '../src/lib/server/db/embedded-start';
import { localeFromEnvironment } from '../src/lib/server/environment-locale';
import { m } from '../src/lib/paraglide/messages';
import { openDatabase } from '../src/lib/server/db/client';
import { formatDemoCredentials, isDatabaseEmpty, seedDemo } from '../src/lib/server/seed/demo';

/** The host name to put in links: localhost for the loopback and wildcard addresses. */
function displayHost(): string {
	const host = process.env.HOST ?? '127.0.0.1';
	return host === '0.0.0.0' || host === '127.0.0.1' || host === '::' ? 'localhost' : host;
}

async function main() {
	if (process.env.PIAOJUE_SKIP_BUILD !== '1') buildIfNeeded();
	process.env.HOST ??= '127.0.0.1';
	process.env.PORT ??= '3000';
	// File uploads need more than adapter-node's 512 KB default: candidate and roster CSV files,
	// and progress photos (up to 4 of at most 5 MB each in one update).
	process.env.BODY_SIZE_LIMIT ??= '21M';
	// adapter-node assumes https when ORIGIN is unset, and SvelteKit then refuses every form post
	// from http://localhost as cross-site. Behind TLS or on another host, set ORIGIN yourself.
	const origin = process.env.ORIGIN ?? `http://${displayHost()}:${process.env.PORT}`;
	process.env.ORIGIN = origin;
	const usingEmbedded = !process.env.DATABASE_URL;
	console.log(
		usingEmbedded
			? `Starting the embedded PostgreSQL (data in ${path.join(defaultDataRoot(), 'postgres')})…`
			: 'Using the database at DATABASE_URL.'
	);
	const database = await openDatabase({ max: 2 });
	try {
		await database.migrate({ onApply: (name) => console.log(`  applied migration ${name}`) });
		if (await isDatabaseEmpty(database.sql)) {
			console.log('Empty database: loading the demo data…');
			const credentials = await seedDemo(database.sql, { adminPassword: process.env.ADMIN_PASSWORD });
			console.log(formatDemoCredentials(credentials, origin));
		}
	} catch (error) {
		await database.close();
		throw error;
	}
	// The server opens its own pool on the same database, as the runtime role (it never holds the
	// owner's credentials); this process keeps the embedded server running.
	process.env.DATABASE_URL = database.url;
	delete process.env.DATABASE_OWNER_URL;
	await database.sql.end({ timeout: 5 });
	process.once('sveltekit:shutdown', () => {
		void database.close().then(() => console.log('Stopped.'));
	});
	await import(new URL('../build/index.js', import.meta.url).href);
	console.log(`Piaojue is running on ${origin} (Ctrl+C stops it).`);
}

main().catch((error: unknown) => {
	const locale = localeFromEnvironment();
	console.error(m.operations_start_failed({ reason: databaseStartReport(error, locale) }, { locale }));
	process.exit(1);
});
