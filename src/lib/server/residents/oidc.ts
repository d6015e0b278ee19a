// Sign-in through an OpenID Connect provider (a government's unified identity platform, 统一身份认证,
// or any OIDC provider), with `openid-client`: the authorization code flow with PKCE (S256), state
// and nonce. Configured by environment:
//   OIDC_ISSUER          the provider's issuer URL (discovery at /.well-known/openid-configuration)
//   OIDC_CLIENT_ID       this site's client id at the provider
//   OIDC_CLIENT_SECRET   its secret (client_secret_basic); empty for a public client
//   OIDC_VERIFIED_CLAIM  which claim means "verified": `name` (true or "true") or `name=value`;
//                        unset: no sign-in counts as verified by the identity provider
//   OIDC_SCOPES          scopes to ask for (default `openid`)
// The first sign-in creates a resident bound to issuer + subject; later sign-ins find it. A
// signed-in resident who goes through the flow links the identity to their account instead.
// Plain http is accepted only for an issuer on this machine (127.0.0.1, localhost: tests, demos).
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { CONSENT_TEXT_VERSIONS } from '$lib/domain/verification';
import type { Sql } from '../db/client';
import { createSession } from '../auth/session';
import { insertUser } from '../users/users';

export interface OidcSettings {
	issuer: URL;
	clientId: string;
	clientSecret: string;
	verifiedClaim: { name: string; value: string | null } | null;
	scopes: string;
}

/** The settings from the environment, or null when OIDC_ISSUER is unset (the feature is off). */
export function oidcSettings(env: NodeJS.ProcessEnv = process.env): OidcSettings | null {
	const issuer = env.OIDC_ISSUER?.trim();
	if (!issuer) return null;
	const clientId = env.OIDC_CLIENT_ID?.trim();
	if (!clientId) throw new Error('OIDC_ISSUER is set but OIDC_CLIENT_ID is not');
	const claim = env.OIDC_VERIFIED_CLAIM?.trim();
	const [name, ...value] = (claim ?? '').split('=');
	return {
		issuer: new URL(issuer),
		clientId,
		clientSecret: env.OIDC_CLIENT_SECRET ?? '',
		verifiedClaim: claim && name ? { name, value: value.length > 0 ? value.join('=') : null } : null,
		scopes: env.OIDC_SCOPES?.trim() || 'openid'
	};
}

export function oidcConfigured(): boolean {
	return !!process.env.OIDC_ISSUER?.trim();
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

let discovered: Promise<client.Configuration> | null = null;

/** The provider's configuration, discovered once per process (again after a failure). */
export function providerConfiguration(settings: OidcSettings): Promise<client.Configuration> {
	discovered ??= client
		.discovery(
			settings.issuer,
			settings.clientId,
			settings.clientSecret || undefined,
			settings.clientSecret ? client.ClientSecretBasic(settings.clientSecret) : client.None(),
			LOCAL_HOSTS.has(settings.issuer.hostname) ? { execute: [client.allowInsecureRequests] } : undefined
		)
		.catch((error: unknown) => {
			discovered = null;
			throw error;
		});
	return discovered;
}

/** What the browser carries between the start and the callback (an httpOnly cookie). */
export interface OidcFlow {
	state: string;
	nonce: string;
	codeVerifier: string;
	returnTo: string;
}

export const OIDC_FLOW_COOKIE = 'piaojue_oidc';
export const OIDC_FLOW_MAX_AGE_SECONDS = 600;

export function encodeFlow(flow: OidcFlow): string {
	return Buffer.from(JSON.stringify(flow)).toString('base64url');
}

export function decodeFlow(text: string | undefined): OidcFlow | null {
	if (!text) return null;
	try {
		const flow = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<OidcFlow>;
		if (
			typeof flow.state === 'string' &&
			typeof flow.nonce === 'string' &&
			typeof flow.codeVerifier === 'string' &&
			typeof flow.returnTo === 'string'
		)
			return flow as OidcFlow;
	} catch {
		// not ours
	}
	return null;
}

/** The provider's authorization URL for a new flow, and the flow to keep in the cookie. */
export async function startSignIn(
	settings: OidcSettings,
	redirectUri: string,
	returnTo: string
): Promise<{ url: URL; flow: OidcFlow }> {
	const configuration = await providerConfiguration(settings);
	const codeVerifier = client.randomPKCECodeVerifier();
	const flow: OidcFlow = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, returnTo };
	const url = client.buildAuthorizationUrl(configuration, {
		redirect_uri: redirectUri,
		scope: settings.scopes,
		code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
		code_challenge_method: 'S256',
		state: flow.state,
		nonce: flow.nonce
	});
	return { url, flow };
}

export interface ProviderIdentity {
	issuer: string;
	subject: string;
	verified: boolean;
}

function claimMeansVerified(value: unknown, expected: string | null): boolean {
	if (expected !== null)
		return Array.isArray(value) ? value.map(String).includes(expected) : String(value) === expected;
	return value === true || value === 'true';
}

/**
 * Completes the flow from the callback URL: the code is exchanged with the PKCE verifier, and
 * openid-client checks the state, the ID token's signature, issuer, audience, expiry and nonce.
 * Throws on any mismatch (a tampered or replayed callback).
 */
export async function finishSignIn(
	settings: OidcSettings,
	callbackUrl: URL,
	flow: OidcFlow
): Promise<ProviderIdentity> {
	const configuration = await providerConfiguration(settings);
	const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
		pkceCodeVerifier: flow.codeVerifier,
		expectedState: flow.state,
		expectedNonce: flow.nonce,
		idTokenExpected: true
	});
	const claims = tokens.claims();
	if (!claims) throw new Error('the provider returned no ID token');
	let verified = false;
	if (settings.verifiedClaim) {
		const { name, value } = settings.verifiedClaim;
		let found: unknown = (claims as Record<string, unknown>)[name];
		if (found === undefined) {
			const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
			found = (userInfo as Record<string, unknown>)[name];
		}
		verified = claimMeansVerified(found, value);
	}
	return { issuer: claims.iss, subject: claims.sub, verified };
}

export type IdentityOutcome =
	| { ok: true; userId: number; token: string | null; created: boolean }
	| { ok: false; problem: 'linked_elsewhere' | 'not_resident' | 'disabled' };

/**
 * Signs in (or registers) the resident bound to the identity, or links it to `signedInUserId`;
 * records the consent and whether the provider verified them; one transaction.
 */
export async function signInWithIdentity(
	sql: Sql,
	identity: ProviderIdentity,
	signedInUserId: number | null
): Promise<IdentityOutcome> {
	return (await sql.begin(async (tx): Promise<IdentityOutcome> => {
		const [bound] = await tx<{ userId: number; disabled: boolean; resident: boolean }[]>`
			select i.user_id as "userId", u.disabled_at is not null as disabled,
			       exists (select 1 from user_role r where r.user_id = i.user_id and r.role = 'resident') as resident
			from resident_identity i join app_user u on u.id = i.user_id
			where i.issuer = ${identity.issuer} and i.subject = ${identity.subject} for update of i`;
		let userId: number;
		let created = false;
		if (signedInUserId !== null) {
			if (bound && bound.userId !== signedInUserId) return { ok: false, problem: 'linked_elsewhere' };
			const [resident] = await tx`select 1 from user_role where user_id = ${signedInUserId} and role = 'resident'`;
			if (!resident) return { ok: false, problem: 'not_resident' };
			userId = signedInUserId;
		} else if (bound) {
			if (bound.disabled) return { ok: false, problem: 'disabled' };
			if (!bound.resident) return { ok: false, problem: 'not_resident' };
			userId = bound.userId;
		} else {
			const username = `id_${randomBytes(6).toString('hex')}`;
			userId = await insertUser(tx, { username, displayName: username, passwordHash: null, roles: ['resident'] });
			await tx`insert into resident_profile (user_id) values (${userId})`;
			await tx`
				insert into personal_data_consent (user_id, purpose, text_version)
				values (${userId}, 'registration', ${CONSENT_TEXT_VERSIONS.registration})`;
			created = true;
		}
		await tx`
			insert into resident_identity (issuer, subject, user_id, verified)
			values (${identity.issuer}, ${identity.subject}, ${userId}, ${identity.verified})
			on conflict (issuer, subject) do update set verified = excluded.verified, last_seen_at = now()`;
		await tx`
			insert into resident_profile (user_id) values (${userId})
			on conflict (user_id) do nothing`;
		await tx`
			update resident_profile set identity_verified_at = case
				when ${identity.verified} then coalesce(identity_verified_at, now())
				else null end
			where user_id = ${userId}`;
		await tx`
			insert into personal_data_consent (user_id, purpose, text_version)
			values (${userId}, 'identity', ${CONSENT_TEXT_VERSIONS.identity})`;
		const token = signedInUserId === null ? (await createSession(tx, userId)).token : null;
		return { ok: true, userId, token, created };
	})) as IdentityOutcome;
}

/** One line for the server log about why the provider's answer was refused (which check failed). */
export function describeOidcError(error: unknown): string {
	const details = error as {
		message?: string;
		code?: string;
		error?: string;
		error_description?: string;
		cause?: { message?: string; claim?: string; parameter?: string; expected?: unknown; reason?: string };
	};
	const parts = [details.message ?? String(error)];
	if (details.code) parts.push(`code ${details.code}`);
	if (details.error) parts.push(`${details.error}${details.error_description ? `: ${details.error_description}` : ''}`);
	const cause = details.cause;
	if (cause instanceof Error) parts.push(cause.message);
	if (cause && typeof cause === 'object') {
		if (cause.claim) parts.push(`claim ${cause.claim}`);
		if (cause.parameter) parts.push(`parameter ${cause.parameter}`);
		if (cause.reason) parts.push(cause.reason);
	}
	return parts.join('; ');
}
