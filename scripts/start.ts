// `npm start`: build if needed, open the database (the embedded one when DATABASE_URL is unset),
// migrate, load the demo data into an empty database, then run the adapter-node server.
import { buildIfNeeded } from './build-if-needed';
import { openDatabase } from '../src/lib/server/db/client';
import { migrate } from '../src/lib/server/db/migrate';
import { formatDemoCredentials, isDatabaseEmpty, seedDemo } from '../src/lib/server/seed/demo';

async function main() {
	buildIfNeeded();
	const usingEmbedded = !process.env.DATABASE_URL;
	console.log(usingEmbedded ? 'Starting the embedded PostgreSQL (data in .data/postgres)…' : 'Using the database at DATABASE_URL.');
	const database = await openDatabase({ max: 2 });
	try {
		await migrate(database.sql, { onApply: (name) => console.log(`  applied migration ${name}`) });
		process.env.HOST ??= '127.0.0.1';
		process.env.PORT ??= '3000';
		if (await isDatabaseEmpty(database.sql)) {
			console.log('Empty database: loading the demo data…');
			const credentials = await seedDemo(database.sql, { adminPassword: process.env.ADMIN_PASSWORD });
			const host = process.env.HOST === '0.0.0.0' || process.env.HOST === '127.0.0.1' ? 'localhost' : process.env.HOST;
			console.log(formatDemoCredentials(credentials, process.env.ORIGIN ?? `http://${host}:${process.env.PORT}`));
		}
	} catch (error) {
		await database.close();
		throw error;
	}
	// The server opens its own pool on the same database; this process keeps the embedded server running.
	process.env.DATABASE_URL = database.url;
	await database.sql.end({ timeout: 5 });
	process.once('sveltekit:shutdown', () => {
		void database.close().then(() => console.log('Stopped.'));
	});
	await import(new URL('../build/index.js', import.meta.url).href);
	console.log(`Piaojue is running on http://${process.env.HOST === '127.0.0.1' ? 'localhost' : process.env.HOST}:${process.env.PORT} (Ctrl+C stops it).`);
}

main().catch((error) => {
	console.error(`npm start failed: ${(error as Error).message}`);
	process.exit(1);
});
