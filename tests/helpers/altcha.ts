// Solving the registration form's proof of work as the widget does, with altcha-lib's own solver.
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';

/** Fetches a challenge from the app, solves it and returns the form field the widget would send. */
export async function solvedChallenge(baseUrl: string): Promise<string> {
	const challenge = (await (await fetch(`${baseUrl}/register/challenge`)).json()) as Challenge;
	const solution = await solveChallenge({ challenge, deriveKey });
	if (!solution) throw new Error('the challenge could not be solved');
	return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
}
