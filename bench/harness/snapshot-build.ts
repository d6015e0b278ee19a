// Run under the shared build lock by bench/run.ts: builds the app if its sources changed
// (scripts/build-if-needed.ts) and copies build/, migrations/ and the bare baseline (which runs the
// same SQL as that build's cast) into the benchmark's folder, so that a build started by someone
// else during the run cannot change the server being measured, and a kept snapshot is measured
// against its own baseline.
//
// node --import tsx bench/harness/snapshot-build.ts DESTINATION
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildIfNeeded } from '../../scripts/build-if-needed';

const destination = process.argv[2];
if (!destination) throw new Error('usage: snapshot-build.ts DESTINATION');
buildIfNeeded((line) => console.log(line));
rmSync(destination, { recursive: true, force: true });
cpSync('build', path.join(destination, 'build'), { recursive: true });
cpSync('migrations', path.join(destination, 'migrations'), { recursive: true });
cpSync('bench/baseline.ts', path.join(destination, 'baseline.ts'));
