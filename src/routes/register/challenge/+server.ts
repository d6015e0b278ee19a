import { json } from '@sveltejs/kit';
import { newRegistrationChallenge } from '$lib/server/residents/altcha';
import type { RequestHandler } from './$types';

/** A fresh proof-of-work challenge for the registration form's widget (never cached). */
export const GET: RequestHandler = async () =>
	json(await newRegistrationChallenge(), { headers: { 'cache-control': 'no-store' } });
