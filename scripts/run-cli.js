// `npm run cli -- …`: the operator CLI (scripts/cli.ts) run from its bundle (scripts/cli-bundle.js).
import { pathToFileURL } from 'node:url';
import { ensureCliBundle } from './cli-bundle.js';

await import(pathToFileURL(await ensureCliBundle()).href);
