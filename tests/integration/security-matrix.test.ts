// Who may do what: every page, endpoint and form action under src/routes, asked by each role over
// real HTTP against the built server. The table below is the reference; a guard test fails when a
// route or action exists that the table does not list, so a new route must be added here.
//
// Form actions are posted with a body that the action itself refuses (an empty or malformed form):
// a role that passes the guard gets the action's 400, a role that does not gets 403 (or is sent to
// sign in), and nothing changes in between — so the order of the rows does not matter.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD, type TestSession, passwordSignIn } from '../helpers/factory';
import {
	databaseSnapshot,
	HttpAgent,
	leakIn,
	routeInventory,
	signedInAgent,
	type SentRequest
} from '../helpers/security';

const ROLES = ['anonymous', 'resident', 'delegate', 'staff', 'scrutineer', 'disabled'] as const;
type Role = (typeof ROLES)[number];

/** 303 to /login?redirectTo=<the requested path and query>. */
const LOGIN = 'login';
/** 303 to /. */
const HOME = 'home';
/** 303 to where the role lands after signing in (issue 15): see `landingOf`. */
const LANDING = 'landing';
/** Any other redirect, written out: "303 <location>". */
type Redirect = `303 /${string}`;
type Outcome = number | typeof LOGIN | typeof HOME | typeof LANDING | Redirect;
/** An id that names nothing: the guard must answer before the lookup does (allowed roles get 404). */
const MISSING = 987_654;

interface World {
	/** Open, approval; delegates[0] is "the delegate", [1] votes in a scenario, [2] is disabled. */
	open: TestSession;
	/** Open, with its own delegates: the "other session". */
	other: TestSession;
	draft: TestSession;
	/** Closed (counted, not confirmed) with two ballots cast over HTTP. */
	closed: TestSession;
	published: TestSession;
	candidateId: number;
	categoryId: number;
	receiptCodes: { delegate: { id: number; username: string }; code: string; candidateIds: number[] }[];
}

interface MatrixRow {
	/** "<METHOD> <route id>[ ?/<action>]": what the guard test compares with src/routes. */
	key: string;
	path: (world: World) => string;
	outcomes: Record<Role, Outcome>;
	/** The form posted to an action (URL-encoded). */
	body?: (world: World) => [string, string][];
	/** Ask with a newly signed-in client per role (the request ends its session). */
	fresh?: boolean;
}

function row(
	key: string,
	path: (world: World) => string,
	outcomes: Outcome[],
	options: Pick<MatrixRow, 'body' | 'fresh'> = {}
): MatrixRow {
	if (outcomes.length !== ROLES.length) throw new Error(`${key}: one outcome per role`);
	return {
		key,
		path,
		outcomes: Object.fromEntries(ROLES.map((role, index) => [role, outcomes[index] as Outcome])) as Record<
			Role,
			Outcome
		>,
		...options
	};
}

const empty = (): [string, string][] => [];
/** A ballot the action refuses before looking at anything else. */
const badBallot = (): [string, string][] => [['candidate', 'not-a-number']];

// prettier-ignore
const MATRIX: MatrixRow[] = [
	//   method and route id [?/action]                                request path                                                  anon    resident delegate staff  scrut   disabled
	row('GET /',                                                       () => '/',                                                    [200,   200,     200,     200,   200,    200]),
	row('GET /projects',                                               () => '/projects',                                            [200,   200,     200,     200,   200,    200]),
	row('GET /projects/[id]',                                          (w) => `/projects/${w.candidateId}`,                          [200,   200,     200,     200,   200,    200]),
	row('GET /projects/export.csv',                                    () => '/projects/export.csv',                                 [200,   200,     200,     200,   200,    200]),
	row('GET /projects/export.json',                                   () => '/projects/export.json',                                [200,   200,     200,     200,   200,    200]),
	row('GET /healthz',                                                () => '/healthz',                                             [200,   200,     200,     200,   200,    200]),
	row('GET /metrics',                                                () => '/metrics',                                             [401,   401,     401,     401,   401,    401]),
	row('GET /api/categories',                                         () => '/api/categories',                                      [200,   200,     200,     200,   200,    200]),
	row('GET /api/sessions',                                           () => '/api/sessions',                                        [200,   200,     200,     200,   200,    200]),
	row('GET /api/sessions/[id]',                                      (w) => `/api/sessions/${w.open.id}`,                          [200,   200,     200,     200,   200,    200]),
	row('GET /api/sessions/[id]/receipts',                             (w) => `/api/sessions/${w.closed.id}/receipts`,               [200,   200,     200,     200,   200,    200]),
	row('GET /api/sessions/[id]/receipts',                             (w) => `/api/sessions/${w.open.id}/receipts`,                 [404,   404,     404,     404,   404,    404]),
	row('GET /api/sessions/[id]/results',                              (w) => `/api/sessions/${w.published.id}/results`,             [200,   200,     200,     200,   200,    200]),
	row('GET /api/sessions/[id]/results',                              (w) => `/api/sessions/${w.closed.id}/results`,                [404,   404,     404,     404,   404,    404]),
	row('GET /results/[sessionId]',                                    (w) => `/results/${w.published.id}`,                          [200,   200,     200,     200,   200,    200]),
	row('GET /results/[sessionId]/announcement',                       (w) => `/results/${w.published.id}/announcement`,             [200,   200,     200,     200,   200,    200]),
	row('GET /results/[sessionId]/announcement.[format=exportformat]', (w) => `/results/${w.published.id}/announcement.json`,     [200,   200,     200,     200,   200,    200]),
	row('GET /results/[sessionId]/announcement.[format=exportformat]', (w) => `/results/${w.closed.id}/announcement.csv`,         [404,   404,     404,     404,   404,    404]),
	row('GET /results/[sessionId]/export.[format=exportformat]',       (w) => `/results/${w.published.id}/export.csv`,               [200,   200,     200,     200,   200,    200]),
	row('GET /results/[sessionId]/export.[format=exportformat]',       (w) => `/results/${w.closed.id}/export.json`,                 [404,   404,     404,     404,   404,    404]),
	row('GET /results/[sessionId]/receipts',                           (w) => `/results/${w.closed.id}/receipts`,                    [200,   200,     200,     200,   200,    200]),
	row('POST /results/[sessionId]/receipts',                          (w) => `/results/${w.closed.id}/receipts`,                    [400,   400,     400,     400,   400,    400], { body: empty }),
	row('GET /screen/[sessionId]',                                     (w) => `/screen/${w.open.id}`,                                [200,   200,     200,     200,   200,    200]),
	row('GET /screen/[sessionId]/events',                              (w) => `/screen/${w.open.id}/events`,                         [200,   200,     200,     200,   200,    200]),
	row('GET /language',                                               () => '/language',                                            [HOME,  HOME,    HOME,    HOME,  HOME,   HOME]),
	row('POST /language',                                              () => '/language',                                            [HOME,  HOME,    HOME,    HOME,  HOME,   HOME], { body: empty }),
	row('GET /text-size',                                              () => '/text-size',                                           [HOME,  HOME,    HOME,    HOME,  HOME,   HOME]),
	row('POST /text-size',                                             () => '/text-size',                                           [HOME,  HOME,    HOME,    HOME,  HOME,   HOME], { body: empty }),
	row('GET /login',                                                  () => '/login',                                               [200,   LANDING, LANDING, LANDING, LANDING, 200]),
	// Sign-in through an OpenID Connect provider: off (404) unless OIDC_ISSUER is set (tested in oidc.test.ts).
	row('GET /login/oidc',                                             () => '/login/oidc',                                          [404,   404,     404,     404,   404,    404]),
	row('GET /login/oidc/start',                                       () => '/login/oidc/start',                                    [404,   404,     404,     404,   404,    404]),
	row('GET /login/oidc/callback',                                    () => '/login/oidc/callback?code=x&state=y',                  [404,   404,     404,     404,   404,    404]),
	// The sign-in page sends a signed-in visitor home, also after a refused post.
	row('POST /login',                                                 () => '/login',                                               [400,   LANDING, LANDING, LANDING, LANDING, 400], { body: empty }),
	row('GET /login/code',                                             () => '/login/code',                                          [200,   200,     200,     200,   200,    200]),
	row('POST /login/code ?/check',                                    () => '/login/code?/check',                                   [400,   400,     400,     400,   400,    400], { body: empty }),
	row('POST /login/code ?/password',                                 () => '/login/code?/password',                                [400,   400,     400,     400,   400,    400], { body: empty }),
	row('POST /login/code ?/once',                                     () => '/login/code?/once',                                    [400,   400,     400,     400,   400,    400], { body: empty }),
	row('GET /logout',                                                 () => '/logout',                                              [HOME,  HOME,    HOME,    HOME,  HOME,   HOME]),
	row('POST /logout',                                                () => '/logout',                                              [HOME,  HOME,    HOME,    HOME,  HOME,   HOME], { body: empty, fresh: true }),
	// The idle sign-out of a ballot page without JavaScript: without its token it signs no one out.
	row('GET /logout/idle',                                            () => '/logout/idle?token=forged',                            ['303 /login?idle=1', '303 /vote', '303 /vote', '303 /vote', '303 /vote', '303 /login?idle=1']),
	row('GET /vote',                                                   () => '/vote',                                                [LOGIN, 403,     200,     403,   403,    LOGIN]),
	row('GET /vote/[sessionId]',                                       (w) => `/vote/${w.open.id}`,                                  [LOGIN, 403,     200,     403,   403,    LOGIN]),
	row('GET /vote/[sessionId]',                                       (w) => `/vote/${w.other.id}`,                                 [LOGIN, 403,     403,     403,   403,    LOGIN]),
	row('POST /vote/[sessionId] ?/review',                             (w) => `/vote/${w.open.id}?/review`,                          [LOGIN, 403,     400,     403,   403,    LOGIN], { body: badBallot }),
	row('POST /vote/[sessionId] ?/edit',                               (w) => `/vote/${w.open.id}?/edit`,                            [LOGIN, 403,     400,     403,   403,    LOGIN], { body: badBallot }),
	row('POST /vote/[sessionId] ?/cast',                               (w) => `/vote/${w.open.id}?/cast`,                            [LOGIN, 403,     400,     403,   403,    LOGIN], { body: badBallot }),
	row('GET /admin',                                                  () => '/admin',                                               [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('GET /admin/audit',                                            () => '/admin/audit',                                         [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('POST /admin/audit ?/verify',                                  () => '/admin/audit?/verify',                                 [LOGIN, 403,     403,     200,   200,    LOGIN], { body: empty }),
	row('GET /admin/candidates',                                       () => '/admin/candidates',                                    [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates ?/moveCandidate',                      () => '/admin/candidates?/moveCandidate',                     [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/candidates ?/moveCategory',                       () => '/admin/candidates?/moveCategory',                      [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/new',                                   () => '/admin/candidates/new',                                [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates/new',                                  () => '/admin/candidates/new',                                [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/[id]',                                  (w) => `/admin/candidates/${w.candidateId}`,                  [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates/[id] ?/save',                          (w) => `/admin/candidates/${w.candidateId}?/save`,            [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/candidates/[id] ?/delete',                        (w) => `/admin/candidates/${w.candidateId}?/delete`,          [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/categories/new',                        () => '/admin/candidates/categories/new',                     [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates/categories/new',                       () => '/admin/candidates/categories/new',                     [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/categories/[id]',                       (w) => `/admin/candidates/categories/${w.categoryId}`,        [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates/categories/[id] ?/save',               (w) => `/admin/candidates/categories/${w.categoryId}?/save`,  [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/candidates/categories/[id] ?/delete',             (w) => `/admin/candidates/categories/${w.categoryId}?/delete`,[LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/import',                                () => '/admin/candidates/import',                             [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/candidates/import',                               () => '/admin/candidates/import',                             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/candidates/import/template.csv',                   () => '/admin/candidates/import/template.csv',                [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('GET /admin/delegates',                                        () => '/admin/delegates',                                     [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/delegates ?/import',                              () => '/admin/delegates?/import',                             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/delegates ?/disable',                             () => '/admin/delegates?/disable',                            [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/delegates ?/enable',                              () => '/admin/delegates?/enable',                             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/new',                                     () => '/admin/sessions/new',                                  [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/new',                                    () => '/admin/sessions/new',                                  [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]',                                    (w) => `/admin/sessions/${w.open.id}`,                        [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('POST /admin/sessions/[id] ?/open',                            (w) => `/admin/sessions/${w.draft.id}?/open`,                 [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id] ?/close',                           (w) => `/admin/sessions/${w.open.id}?/close`,                 [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id] ?/publish',                         (w) => `/admin/sessions/${w.closed.id}?/publish`,             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id] ?/confirm',                         (w) => `/admin/sessions/${w.closed.id}?/confirm`,             [LOGIN, 403,     403,     403,   400,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id] ?/followUp',                        (w) => `/admin/sessions/${w.open.id}?/followUp`,              [LOGIN, 403,     403,     409,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id] ?/attendance',                      (w) => `/admin/sessions/${w.draft.id}?/attendance`,           [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/check-in',                           (w) => `/admin/sessions/${w.open.id}/check-in`,               [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/[id]/check-in ?/mark',                   (w) => `/admin/sessions/${w.open.id}/check-in?/mark`,         [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/check-in ?/code',                   (w) => `/admin/sessions/${w.open.id}/check-in?/code`,         [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/check-in ?/delegation',             (w) => `/admin/sessions/${w.open.id}/check-in?/delegation`,   [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/edit',                               (w) => `/admin/sessions/${w.draft.id}/edit`,                  [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/[id]/edit',                              (w) => `/admin/sessions/${w.draft.id}/edit`,                  [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/electorate',                         (w) => `/admin/sessions/${w.open.id}/electorate`,             [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('POST /admin/sessions/[id]/electorate ?/enrol',                (w) => `/admin/sessions/${w.draft.id}/electorate?/enrol`,     [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/electorate ?/remove',               (w) => `/admin/sessions/${w.draft.id}/electorate?/remove`,    [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/electorate ?/presence',             (w) => `/admin/sessions/${w.open.id}/electorate?/presence`,   [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/credentials',                        (w) => `/admin/sessions/${w.open.id}/credentials`,            [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/[id]/credentials ?/issue',               (w) => `/admin/sessions/${w.open.id}/credentials?/issue`,     [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/paper',                              (w) => `/admin/sessions/${w.open.id}/paper`,                  [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('POST /admin/sessions/[id]/paper',                             (w) => `/admin/sessions/${w.open.id}/paper`,                  [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	// Paper ballots keyed twice (issue 15): by staff or scrutineers, two different people.
	row('GET /admin/sessions/[id]/paper/keying',                       (w) => `/admin/sessions/${w.open.id}/paper/keying`,           [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('POST /admin/sessions/[id]/paper/keying ?/key',                (w) => `/admin/sessions/${w.open.id}/paper/keying?/key`,      [LOGIN, 403,     403,     400,   400,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/paper/keying ?/second',             (w) => `/admin/sessions/${w.open.id}/paper/keying?/second`,   [LOGIN, 403,     403,     400,   400,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/paper/keying ?/discard',            (w) => `/admin/sessions/${w.open.id}/paper/keying?/discard`,  [LOGIN, 403,     403,     400,   400,    LOGIN], { body: empty }),
	// The meeting's procedure (issue 13): staff record it on a draft; the adopted 票决办法 is public (a notice before).
	row('GET /rules/[sessionId]',                                      (w) => `/rules/${w.draft.id}`,                                [200,   200,     200,     200,   200,    200]),
	row('GET /admin/sessions/[id]/procedure',                          (w) => `/admin/sessions/${w.draft.id}/procedure`,             [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/[id]/procedure ?/text',                  (w) => `/admin/sessions/${w.draft.id}/procedure?/text`,       [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/procedure ?/resetText',             (w) => `/admin/sessions/${w.open.id}/procedure?/resetText`,   [LOGIN, 403,     403,     409,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/procedure ?/adopt',                 (w) => `/admin/sessions/${w.draft.id}/procedure?/adopt`,      [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/procedure ?/withdrawAdoption',      (w) => `/admin/sessions/${w.draft.id}/procedure?/withdrawAdoption`, [LOGIN, 403, 403,    409,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/procedure ?/review',                (w) => `/admin/sessions/${w.draft.id}/procedure?/review`,     [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/procedure ?/withdrawReview',        (w) => `/admin/sessions/${w.draft.id}/procedure?/withdrawReview`, [LOGIN, 403,   403,     409,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/scrutineers',                        (w) => `/admin/sessions/${w.draft.id}/scrutineers`,           [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/sessions/[id]/scrutineers',                       (w) => `/admin/sessions/${w.draft.id}/scrutineers`,           [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/paper/[batchId]',                    (w) => `/admin/sessions/${w.open.id}/paper/${MISSING}`,       [LOGIN, 403,     403,     404,   404,    LOGIN]),
	row('POST /admin/sessions/[id]/paper/[batchId] ?/confirm',         (w) => `/admin/sessions/${w.open.id}/paper/${MISSING}?/confirm`, [LOGIN, 403,  403,     404,   404,    LOGIN], { body: empty }),
	row('POST /admin/sessions/[id]/paper/[batchId] ?/reject',          (w) => `/admin/sessions/${w.open.id}/paper/${MISSING}?/reject`, [LOGIN, 403,   403,     404,   404,    LOGIN], { body: empty }),
	row('GET /admin/sessions/[id]/export.[format=exportformat]',       (w) => `/admin/sessions/${w.closed.id}/export.csv`,           [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('GET /admin/sessions/[id]/export.[format=exportformat]',       (w) => `/admin/sessions/${w.open.id}/export.json`,            [LOGIN, 403,     403,     404,   404,    LOGIN]),
	// Sign-in security: every signed-in user changes their password; staff and scrutineers manage two-factor sign-in.
	row('GET /account/security',                                       () => '/account/security',                                    [LOGIN, 200,     200,     200,   200,    LOGIN]),
	row('POST /account/security ?/password',                           () => '/account/security?/password',                          [LOGIN, 400,     400,     400,   400,    LOGIN], { body: empty }),
	row('POST /account/security ?/begin',                              () => '/account/security?/begin',                             [LOGIN, 403,     403,     200,   200,    LOGIN], { body: empty }),
	row('POST /account/security ?/confirm',                            () => '/account/security?/confirm',                           [LOGIN, 403,     403,     400,   400,    LOGIN], { body: empty }),
	row('POST /account/security ?/cancel',                             () => '/account/security?/cancel',                            [LOGIN, 403,     403,     200,   200,    LOGIN], { body: empty }),
	row('POST /account/security ?/disable',                            () => '/account/security?/disable',                           [LOGIN, 403,     403,     400,   400,    LOGIN], { body: empty }),
	// The second sign-in step needs the pending sign-in of a correct password: without it, back to /login (also after a refused post).
	row('GET /login/two-factor',                                       () => '/login/two-factor',                                    ['303 /login?redirectTo=%2F', LANDING, LANDING, LANDING, LANDING, '303 /login?redirectTo=%2F']),
	row('POST /login/two-factor',                                      () => '/login/two-factor',                                    ['303 /login?redirectTo=%2F', LANDING, LANDING, LANDING, LANDING, '303 /login?redirectTo=%2F'], { body: empty }),
	// Residents: registration, proposals, the online selection. Rows with MISSING check the guard's
	// order; an action on a missing record ends in its page's 404 (SvelteKit renders the page after a refusal).
	row('GET /register',                                               () => '/register',                                            [200,   '303 /me', '303 /me', '303 /me', '303 /me', 200]),
	row('POST /register',                                              () => '/register',                                            [400,   '303 /me', '303 /me', '303 /me', '303 /me', 400], { body: empty }),
	row('GET /me',                                                     () => '/me',                                                  [LOGIN, 200,     200,     200,   200,    LOGIN]),
	row('GET /me/verify',                                              () => '/me/verify',                                           [LOGIN, 200,     403,     403,   403,    LOGIN]),
	row('POST /me/verify ?/send',                                      () => '/me/verify?/send',                                     [LOGIN, 400,     403,     403,   403,    LOGIN], { body: empty }),
	row('POST /me/verify ?/confirm',                                   () => '/me/verify?/confirm',                                  [LOGIN, 400,     403,     403,   403,    LOGIN], { body: empty }),
	row('GET /me/data',                                                () => '/me/data',                                             [LOGIN, 200,     200,     200,   200,    LOGIN]),
	row('POST /me/data ?/delete',                                      () => '/me/data?/delete',                                     [LOGIN, 400,     400,     400,   400,    LOGIN], { body: empty }),
	row('GET /me/data/export.json',                                    () => '/me/data/export.json',                                 [LOGIN, 200,     200,     200,   200,    LOGIN]),
	row('GET /register/challenge',                                     () => '/register/challenge',                                  [200,   200,     200,     200,   200,    200]),
	row('GET /proposals',                                              () => '/proposals',                                           [200,   200,     200,     200,   200,    200]),
	row('GET /proposals/[id]',                                         () => `/proposals/${MISSING}`,                                [404,   404,     404,     404,   404,    404]),
	row('POST /proposals/[id] ?/delete',                               () => `/proposals/${MISSING}?/delete`,                        [LOGIN, 404,     404,     404,   404,    LOGIN], { body: empty }),
	row('GET /proposals/new',                                          () => '/proposals/new',                                       [200,   200,     403,     403,   403,    200]),
	row('POST /proposals/new ?/save',                                  () => '/proposals/new?/save',                                 ['303 /login?redirectTo=%2Fproposals%2Fnew', 400, 403, 403, 403, '303 /login?redirectTo=%2Fproposals%2Fnew'], { body: empty }),
	row('POST /proposals/new ?/submit',                                () => '/proposals/new?/submit',                               ['303 /login?redirectTo=%2Fproposals%2Fnew', 400, 403, 403, 403, '303 /login?redirectTo=%2Fproposals%2Fnew'], { body: empty }),
	row('GET /api/proposals',                                          () => '/api/proposals',                                       [200,   200,     200,     200,   200,    200]),
	row('GET /selection',                                              () => '/selection',                                           [200,   200,     200,     200,   200,    200]),
	row('GET /selection/[roundId]',                                    () => `/selection/${MISSING}`,                                [404,   404,     404,     404,   404,    404]),
	row('POST /selection/[roundId]',                                   () => `/selection/${MISSING}`,                                [LOGIN, 404,     404,     404,   404,    LOGIN], { body: empty }),
	row('GET /api/selection/[roundId]/results',                        () => `/api/selection/${MISSING}/results`,                    [404,   404,     404,     404,   404,    404]),
	row('GET /admin/campaigns',                                        () => '/admin/campaigns',                                     [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/campaigns ?/create',                              () => '/admin/campaigns?/create',                             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/campaigns/[id]',                                   () => `/admin/campaigns/${MISSING}`,                          [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/campaigns/[id] ?/save',                           () => `/admin/campaigns/${MISSING}?/save`,                    [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /admin/proposals',                                        () => '/admin/proposals',                                     [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/proposals ?/review',                              () => '/admin/proposals?/review',                             [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('POST /admin/proposals ?/merge',                               () => '/admin/proposals?/merge',                              [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/proposals/[id]',                                   () => `/admin/proposals/${MISSING}`,                          [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/proposals/[id] ?/review',                         () => `/admin/proposals/${MISSING}?/review`,                  [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/proposals/[id] ?/hide',                           () => `/admin/proposals/${MISSING}?/hide`,                    [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/proposals/[id] ?/unhide',                         () => `/admin/proposals/${MISSING}?/unhide`,                  [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /admin/evaluations',                                      () => '/admin/evaluations',                                   [LOGIN, 403,     403,     200,   200,    LOGIN]),
	row('GET /admin/evaluations/new',                                  () => '/admin/evaluations/new',                               [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/evaluations/new',                                 () => '/admin/evaluations/new',                               [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	// A vote's id is not an evaluation's: staff get 404; the role guard answers first for everyone else.
	row('GET /admin/evaluations/[id]/edit',                            (w) => `/admin/evaluations/${w.draft.id}/edit`,               [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/evaluations/[id]/edit',                           (w) => `/admin/evaluations/${w.draft.id}/edit`,               [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /admin/rounds',                                           () => '/admin/rounds',                                        [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('GET /admin/rounds/new',                                       () => '/admin/rounds/new',                                    [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/rounds/new',                                      () => '/admin/rounds/new',                                    [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/rounds/[id]',                                      () => `/admin/rounds/${MISSING}`,                             [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/rounds/[id] ?/close',                             () => `/admin/rounds/${MISSING}?/close`,                      [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/rounds/[id] ?/carry',                             () => `/admin/rounds/${MISSING}?/carry`,                      [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/rounds/[id] ?/finalize',                          () => `/admin/rounds/${MISSING}?/finalize`,                   [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/rounds/[id] ?/lift',                              () => `/admin/rounds/${MISSING}?/lift`,                       [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /admin/rounds/[id]/review',                               () => `/admin/rounds/${MISSING}/review`,                      [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/rounds/[id]/review ?/exclude',                    () => `/admin/rounds/${MISSING}/review?/exclude`,             [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /admin/residents/[id]',                                   () => `/admin/residents/${MISSING}`,                          [LOGIN, 403,     403,     404,   403,    LOGIN]),
	// Delivery tracking: public progress pages; staff manage projects; department accounts (a role of
	// their own, tested in delivery-http.test.ts) report on their projects; delegates write inspection notes.
	row('GET /delivery',                                               () => '/delivery',                                            [200,   200,     200,     200,   200,    200]),
	row('GET /delivery/[projectId]',                                   () => `/delivery/${MISSING}`,                                 [404,   404,     404,     404,   404,    404]),
	row('GET /delivery/report/[year]',                                 () => '/delivery/report/2099',                                [404,   404,     404,     404,   404,    404]),
	row('GET /delivery/export.[format=exportformat]',                  () => '/delivery/export.csv?year=2099',                       [404,   404,     404,     404,   404,    404]),
	row('GET /delivery/photos/[photoId]',                              () => `/delivery/photos/${MISSING}`,                          [404,   404,     404,     404,   404,    404]),
	row('GET /admin/projects',                                         () => '/admin/projects',                                      [LOGIN, 403,     403,     200,   403,    LOGIN]),
	row('POST /admin/projects ?/createDepartment',                     () => '/admin/projects?/createDepartment',                    [LOGIN, 403,     403,     400,   403,    LOGIN], { body: empty }),
	row('GET /admin/projects/[id]',                                    () => `/admin/projects/${MISSING}`,                           [LOGIN, 403,     403,     404,   403,    LOGIN]),
	row('POST /admin/projects/[id] ?/postUpdate',                      () => `/admin/projects/${MISSING}?/postUpdate`,               [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/projects/[id] ?/addMember',                       () => `/admin/projects/${MISSING}?/addMember`,                [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/projects/[id] ?/removeMember',                    () => `/admin/projects/${MISSING}?/removeMember`,             [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('POST /admin/projects/[id] ?/reviewNote',                      () => `/admin/projects/${MISSING}?/reviewNote`,               [LOGIN, 403,     403,     404,   403,    LOGIN], { body: empty }),
	row('GET /department',                                             () => '/department',                                          [LOGIN, 403,     403,     403,   403,    LOGIN]),
	row('GET /department/projects/[id]',                               () => `/department/projects/${MISSING}`,                      [LOGIN, 403,     403,     403,   403,    LOGIN]),
	row('POST /department/projects/[id] ?/postUpdate',                 () => `/department/projects/${MISSING}?/postUpdate`,          [LOGIN, 403,     403,     403,   403,    LOGIN], { body: empty }),
	row('GET /me/monitoring',                                          () => '/me/monitoring',                                       [LOGIN, 403,     200,     403,   403,    LOGIN]),
	row('POST /me/monitoring ?/note',                                  () => '/me/monitoring?/note',                                 [LOGIN, 403,     400,     403,   403,    LOGIN], { body: empty })
];

/** The same key scheme for what exists under src/routes: GET for every page, POST per action, each method of an endpoint. */
function inventoryKeys(): string[] {
	return routeInventory().flatMap((entry) =>
		entry.kind === 'page'
			? [
					`GET ${entry.routeId}`,
					...entry.handlers.map((action) =>
						action === 'default' ? `POST ${entry.routeId}` : `POST ${entry.routeId} ?/${action}`
					)
				]
			: entry.handlers.map((method) => `${method} ${entry.routeId}`)
	);
}

const database = useTestDatabase();
let app: RunningApp;
let world: World;
let staffUser: { id: number; username: string };
const agents = {} as Record<Role, HttpAgent>;
const usernames = {} as Record<Exclude<Role, 'anonymous'>, string>;

/** A receipt code as the cast page shows it. */
function receiptCodeIn(html: string): string {
	const code = /class="receipt-code"[^>]*>(.*?)<\/code>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
	if (!code) throw new Error('no receipt code on the page');
	return code;
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const checkedInputs = (html: string) => html.match(/<input[^>]*\schecked[^>]*>/g) ?? [];

beforeAll(async () => {
	// With a metrics token set: no session of any role opens /metrics without it.
	app = await startApp(database.url, { PIAOJUE_METRICS_TOKEN: 'a metrics token of the matrix test' });
	const sql = database.sql;
	staffUser = await createUser(sql, ['staff'], 'staff');
	const publisher = await createUser(sql, ['staff'], 'publisher');
	const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
	const resident = await createUser(sql, ['resident'], 'resident');
	const open = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 3 });
	const other = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2 });
	const draft = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2, open: false });
	const closed = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
	const published = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2 });

	// Two delegates of `closed` cast over HTTP and keep their receipt codes; then it closes.
	const receiptCodes: World['receiptCodes'] = [];
	for (const [index, delegate] of closed.delegates.slice(0, 2).entries()) {
		const candidateIds = [closed.candidateIds[index] as number, closed.candidateIds[index + 1] as number];
		const voter = await signedInAgent(app.baseUrl, delegate.username);
		const cast = await voter.post(
			`/vote/${closed.id}?/cast`,
			candidateIds.map((id) => ['candidate', String(id)] as [string, string])
		);
		expect(cast.status).toBe(200);
		receiptCodes.push({ delegate, code: receiptCodeIn(await cast.text()), candidateIds });
	}
	expect((await applyLifecycle(sql, closed.id, 'close', staffUser.id)).ok).toBe(true);

	await castBallot(sql, {
		votingSessionId: published.id,
		delegateId: published.delegates[0]!.id,
		selection: { method: 'approval', candidateIds: [published.candidateIds[0]!] }
	});
	expect((await applyLifecycle(sql, published.id, 'close', staffUser.id)).ok).toBe(true);
	expect((await confirmTally(sql, published.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id))).ok).toBe(
		true
	);
	expect((await applyLifecycle(sql, published.id, 'publish', publisher.id)).ok).toBe(true);

	const [candidate] = await sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${open.candidateIds[0]!}`;
	world = {
		open,
		other,
		draft,
		closed,
		published,
		candidateId: open.candidateIds[0]!,
		categoryId: candidate!.categoryId,
		receiptCodes
	};

	Object.assign(usernames, {
		resident: resident.username,
		delegate: open.delegates[0]!.username,
		staff: staffUser.username,
		scrutineer: scrutineer.username,
		disabled: open.delegates[2]!.username
	});
	agents.anonymous = new HttpAgent(app.baseUrl);
	for (const role of ['resident', 'delegate', 'staff', 'scrutineer', 'disabled'] as const)
		agents[role] = await signedInAgent(app.baseUrl, usernames[role]);

	// The disabled user: a delegate signed in, then disabled by staff; the client keeps replaying its old cookie.
	expect((await agents.disabled.get('/vote')).status).toBe(200);
	agents.disabled.frozenCookies = true;
	const disable = await agents.staff.post('/admin/delegates?/disable', { delegateId: String(open.delegates[2]!.id) });
	expect(disable.status).toBe(200);
});

afterAll(async () => {
	await app?.stop();
});

/** The status (or the redirect) a response stands for, in the table's terms. */
function outcomeOf(response: Response): Outcome | string {
	if (response.status !== 303) return response.status;
	const location = response.headers.get('location') ?? '';
	return location === '/' ? HOME : `303 ${location}`;
}

/**
 * Where each role lands after signing in with no page asking (issue 15): the delegate at their one
 * open ballot, staff at /admin (two sessions are live: "open" and "other"), a resident at /me.
 */
function landingOf(role: Role): string {
	const landing: Partial<Record<Role, string>> = {
		resident: '/me',
		delegate: `/vote/${world.open.id}`,
		staff: '/admin',
		scrutineer: '/admin'
	};
	return `303 ${landing[role] ?? '/'}`;
}

function expectedOutcome(outcome: Outcome, path: string, role: Role): Outcome | string {
	if (outcome === LANDING) return landingOf(role);
	return outcome === LOGIN ? `303 /login?redirectTo=${encodeURIComponent(path)}` : outcome;
}

async function agentFor(role: Role, fresh: boolean): Promise<HttpAgent> {
	if (!fresh || role === 'anonymous' || role === 'disabled') return agents[role];
	return signedInAgent(app.baseUrl, usernames[role]);
}

/** Reads a response to its end, for the leak check; an event stream never ends, so its request is aborted. */
async function bodyOf(response: Response, request: AbortController): Promise<string> {
	if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
		request.abort();
		return '';
	}
	return response.text();
}

describe('the route table', () => {
	it('lists every page, endpoint method and form action under src/routes, and nothing else', () => {
		const listed = [...new Set(MATRIX.map((entry) => entry.key))].sort();
		const existing = [...new Set(inventoryKeys())].sort();
		expect(
			existing.filter((key) => !listed.includes(key)),
			'routes or actions missing from the table: add a row'
		).toEqual([]);
		expect(
			listed.filter((key) => !existing.includes(key)),
			'rows for routes or actions that do not exist'
		).toEqual([]);
	});

	it('the inventory reader sees actions, endpoints and default actions', () => {
		const keys = inventoryKeys();
		expect(keys).toEqual(
			expect.arrayContaining([
				'POST /admin/sessions/[id] ?/confirm',
				'GET /api/sessions/[id]/receipts',
				'POST /logout',
				'GET /vote/[sessionId]'
			])
		);
	});
});

describe('each role gets the expected answer from every route and action', () => {
	it.each(MATRIX.map((entry, index) => [`${entry.key} (${index + 1})`, entry] as const))(
		'%s',
		async (_label, entry) => {
			const path = entry.path(world);
			const observed: Partial<Record<Role, Outcome | string>> = {};
			const expected: Partial<Record<Role, Outcome | string>> = {};
			for (const role of ROLES) {
				const agent = await agentFor(role, entry.fresh ?? false);
				const request = new AbortController();
				const response = await agent.request(path, {
					method: entry.body ? 'POST' : 'GET',
					body: entry.body?.(world),
					signal: request.signal
				});
				const body = await bodyOf(response, request);
				expect(leakIn(body), `${role} ${path}`).toBeNull();
				observed[role] = outcomeOf(response);
				expected[role] = expectedOutcome(entry.outcomes[role], path, role);
			}
			expect(observed).toEqual(expected);
		}
	);
});

describe('wrong methods', () => {
	const routes = [
		...new Map(MATRIX.map((entry) => [entry.key.replace(/^\S+ /, '').replace(/ \?\/.*$/, ''), entry])).entries()
	];

	it('PUT, PATCH and DELETE are refused with 405 on every route, whoever asks', async () => {
		for (const [routeId, entry] of routes) {
			const path = entry.path(world).replace(/\?.*$/, '');
			for (const role of ['anonymous', 'staff'] as const) {
				for (const method of ['PUT', 'PATCH', 'DELETE']) {
					const response = await agents[role].request(path, {
						method,
						body: 'x=1',
						contentType: 'application/x-www-form-urlencoded'
					});
					expect(`${method} ${routeId} as ${role}: ${response.status}`).toBe(`${method} ${routeId} as ${role}: 405`);
					expect(leakIn(await response.text())).toBeNull();
				}
			}
		}
	});

	it('POST is refused with 405 where no action or POST handler exists', async () => {
		const posted = new Set(
			MATRIX.filter((entry) => entry.key.startsWith('POST ')).map((entry) =>
				entry.key.replace(/^POST /, '').replace(/ \?\/.*$/, '')
			)
		);
		const withoutPost = routes.filter(([routeId]) => !posted.has(routeId));
		expect(withoutPost.length).toBeGreaterThan(10);
		for (const [routeId, entry] of withoutPost) {
			const response = await agents.staff.post(entry.path(world).replace(/\?.*$/, ''), { x: '1' });
			expect(`POST ${routeId}: ${response.status}`).toBe(`POST ${routeId}: 405`);
			await response.body?.cancel();
		}
	});

	it('every form action answers a body that is no readable form with a 4xx (or its guard), never a 500', async () => {
		// SvelteKit hands text/plain posts to actions; request.formData() cannot read them, nor a broken multipart body.
		const unreadable: SentRequest[] = [
			{ body: 'confirm=yes', contentType: 'text/plain' },
			{
				body: '--b0undary\r\nContent-Disposition: form-data; name="x"\r\n\r\ncut off',
				contentType: 'multipart/form-data; boundary=b0undary'
			},
			{ body: 'x=1', contentType: 'multipart/form-data' }
		];
		const failures: string[] = [];
		for (const entry of MATRIX.filter((candidate) => candidate.body && !candidate.fresh)) {
			const path = entry.path(world);
			for (const role of ROLES) {
				for (const sent of unreadable) {
					const response = await agents[role].request(path, { ...sent, method: 'POST' });
					const body = await response.text();
					if (response.status >= 500 || leakIn(body))
						failures.push(`${role} ${path} (${sent.contentType}): ${response.status} ${leakIn(body) ?? ''}`);
				}
			}
		}
		expect(failures).toEqual([]);
	});

	it('an action that does not exist, or a named-action page posted without a name, is not found', async () => {
		for (const path of [
			`/admin/sessions/${world.open.id}?/destroy`,
			`/admin/sessions/${world.open.id}`,
			`/vote/${world.open.id}`,
			`/vote/${world.open.id}?/castTwice`
		]) {
			const response = await agents.staff.post(path, { confirm: 'yes' });
			expect(response.status, path).toBe(404);
			expect(leakIn(await response.text())).toBeNull();
		}
		const detail = (await (await fetch(`${app.baseUrl}/api/sessions/${world.open.id}`)).json()) as { status: string };
		expect(detail.status).toBe('open');
	});
});

describe('a disabled user', () => {
	it('loses the session at once: the old cookie signs nobody in, and the session row is gone', async () => {
		const disabled = world.open.delegates[2]!;
		const [sessions] = await database.sql<
			{ count: number }[]
		>`select count(*)::int as count from auth_session where user_id = ${disabled.id}`;
		expect(sessions?.count).toBe(0);
		expect(agents.disabled.cookie('piaojue_session')).toBeTruthy(); // still replayed
		const before = await databaseSnapshot(database.sql);
		const cast = await agents.disabled.post(`/vote/${world.open.id}?/cast`, [
			['candidate', String(world.open.candidateIds[0])]
		]);
		expect(cast.status).toBe(303);
		expect(cast.headers.get('location')).toBe(
			`/login?redirectTo=${encodeURIComponent(`/vote/${world.open.id}?/cast`)}`
		);
		const home = await (await agents.disabled.get('/')).text();
		expect(home).not.toContain(disabled.username);
		expect(await databaseSnapshot(database.sql)).toEqual(before);
		// Nor can the password start a new session.
		const again = await new HttpAgent(app.baseUrl).post('/login', {
			username: disabled.username,
			password: TEST_PASSWORD
		});
		expect(again.status).toBe(400);
	});
});

describe('delegates and each other', () => {
	it("shows no delegate another delegate's choices or receipt on the ballot page", async () => {
		const voter = await signedInAgent(app.baseUrl, world.open.delegates[1]!.username);
		const chosen = world.open.candidateIds.slice(0, 2).map(String);
		const cast = await voter.post(
			`/vote/${world.open.id}?/cast`,
			chosen.map((id) => ['candidate', id] as [string, string])
		);
		expect(cast.status).toBe(200);
		const receiptCode = receiptCodeIn(await cast.text());

		// The other delegate's page is a fresh, empty ballot: nothing of the first delegate's.
		const page = await (await agents.delegate.get(`/vote/${world.open.id}`)).text();
		expect(page).toContain('type="checkbox" name="candidate"');
		expect(page).not.toContain(receiptCode);
		expect(page).not.toContain('您已经投过票');
		expect(checkedInputs(page)).toEqual([]);
		const edit = await agents.delegate.post(`/vote/${world.open.id}?/edit`, []);
		expect(edit.status).toBe(200);
		const editHtml = await edit.text();
		expect(checkedInputs(editHtml)).toEqual([]);
		expect(editHtml).not.toContain(receiptCode);

		// The voter's own page, visited again, says "voted" and shows neither the choices nor the code (shown once).
		const own = await (await voter.get(`/vote/${world.open.id}`)).text();
		expect(own).toContain('您已经投过票');
		expect(own).not.toContain(receiptCode);
		expect(checkedInputs(own)).toEqual([]);
		const list = await (await agents.delegate.get('/vote')).text();
		expect(list).not.toContain(receiptCode);
	});

	it('publishes receipts only as sorted hashes, with no choice and no code, and a check says "included" only', async () => {
		const api = await agents.delegate.get(`/api/sessions/${world.closed.id}/receipts`);
		expect(api.status).toBe(200);
		const text = await api.text();
		const receipts = JSON.parse(text) as Record<string, unknown>;
		expect(Object.keys(receipts).sort()).toEqual([
			'count',
			'electronicBallots',
			'paperBallots',
			'receiptHashes',
			'status'
		]);
		const hashes = world.receiptCodes.map(({ code }) => sha256Hex(code.replace(/-/g, ''))).sort();
		expect(receipts.receiptHashes).toEqual(hashes);
		for (const { code, delegate, candidateIds } of world.receiptCodes) {
			expect(text).not.toContain(code);
			expect(text).not.toContain(delegate.username);
			for (const candidateId of candidateIds) expect(text).not.toMatch(new RegExp(`\\b${candidateId}\\b`));
		}
		const titles = await database.sql<
			{ title: string }[]
		>`select title from candidate where id in ${database.sql(world.closed.candidateIds)}`;
		// One delegate enters another's code: the answer is "included", nothing about its content.
		const [mine, theirs] = world.receiptCodes as [World['receiptCodes'][number], World['receiptCodes'][number]];
		const checker = await signedInAgent(app.baseUrl, mine.delegate.username);
		const check = await checker.post(`/results/${world.closed.id}/receipts`, { code: theirs.code });
		expect(check.status).toBe(200);
		const checkHtml = await check.text();
		expect(checkHtml).toContain('您的选票已被计入');
		for (const { title } of titles) expect(checkHtml).not.toContain(title);
		expect(checkHtml).not.toContain(theirs.delegate.username);
		const page = await (await agents.anonymous.get(`/results/${world.closed.id}/receipts`)).text();
		for (const { code } of world.receiptCodes) expect(page).not.toContain(code);
		for (const { title } of titles) expect(page).not.toContain(title);
		// The closed ballot page of a voter shows neither the choice nor the code.
		const closedBallot = await (await checker.get(`/vote/${world.closed.id}`)).text();
		expect(closedBallot).not.toContain(mine.code);
		expect(checkedInputs(closedBallot)).toEqual([]);
	});

	it('keeps a delegate of one session from voting in another', async () => {
		const outsider = await signedInAgent(app.baseUrl, world.other.delegates[0]!.username);
		const before = await databaseSnapshot(database.sql);
		for (const action of ['review', 'edit', 'cast']) {
			const response = await outsider.post(`/vote/${world.open.id}?/${action}`, [
				['candidate', String(world.open.candidateIds[0])]
			]);
			expect(response.status, action).toBe(403);
			expect(await response.text()).toContain('您不在本次票决的代表名单中');
		}
		// Nor can an enrolled delegate slip another session's candidates into this ballot.
		const mixed = await agents.delegate.post(`/vote/${world.open.id}?/cast`, [
			['candidate', String(world.other.candidateIds[0])]
		]);
		expect(mixed.status).toBe(400);
		expect(await mixed.text()).toContain('选票中包含不属于本次票决的候选项目');
		expect(await databaseSnapshot(database.sql)).toEqual(before);
	});
});

describe('staff and scrutineer actions from the wrong session', () => {
	/** Complete, valid forms: only the role guard stands between them and a change. */
	const staffActions = (w: World): [string, [string, string][]][] => [
		[`/admin/sessions/${w.open.id}?/close`, [['confirm', 'yes']]],
		[`/admin/sessions/${w.draft.id}?/open`, [['confirm', 'yes']]],
		[`/admin/sessions/${w.closed.id}?/publish`, [['confirm', 'yes']]],
		[
			`/admin/sessions/${w.open.id}/paper`,
			[
				['delegates', w.open.delegates[0]!.username],
				['ballots', '1'],
				['scrutineer', '1']
			]
		],
		[
			`/admin/sessions/${w.open.id}/credentials?/issue`,
			[
				['scope', 'all'],
				['confirm', 'yes']
			]
		],
		[`/admin/sessions/${w.draft.id}/electorate?/enrol`, [['scope', 'all']]],
		[`/admin/sessions/${w.draft.id}/electorate?/remove`, [['delegateId', String(w.draft.delegates[0]!.id)]]],
		[
			`/admin/sessions/${w.open.id}/electorate?/presence`,
			[
				['delegateId', String(w.open.delegates[0]!.id)],
				['present', 'no']
			]
		],
		[
			`/admin/sessions/${w.draft.id}/edit`,
			[
				['title', 'taken over'],
				['year', '2022'],
				['ballotMethod', 'approval'],
				['seats', '1'],
				['thresholdBase', 'enrolled'],
				...w.draft.candidateIds.map((id) => ['candidate', String(id)] as [string, string])
			]
		],
		[
			'/admin/sessions/new',
			[
				['title', 'taken over'],
				['year', '2022'],
				['ballotMethod', 'approval'],
				['seats', '1'],
				['thresholdBase', 'enrolled'],
				...w.draft.candidateIds.map((id) => ['candidate', String(id)] as [string, string])
			]
		],
		[
			'/admin/evaluations/new',
			[
				['title', 'taken over'],
				['year', '2022'],
				['allowAbstain', 'yes']
			]
		],
		[
			`/admin/evaluations/${w.draft.id}/edit`,
			[
				['title', 'taken over'],
				['year', '2022']
			]
		],
		[
			'/admin/candidates/new',
			[
				['categoryId', String(w.categoryId)],
				['title', 'taken over']
			]
		],
		[
			`/admin/candidates/${w.candidateId}?/save`,
			[
				['categoryId', String(w.categoryId)],
				['title', 'taken over']
			]
		],
		[`/admin/candidates/${w.draft.candidateIds[0]}?/delete`, [['confirm', 'yes']]],
		['/admin/candidates/categories/new', [['name', 'taken over']]],
		[`/admin/candidates/categories/${w.categoryId}?/save`, [['name', 'taken over']]],
		[
			'/admin/candidates?/moveCandidate',
			[
				['id', String(w.candidateId)],
				['direction', 'down']
			]
		],
		['/admin/delegates?/disable', [['delegateId', String(w.open.delegates[0]!.id)]]],
		['/admin/delegates?/enable', [['delegateId', String(w.open.delegates[2]!.id)]]]
	];

	it('refuses every staff action to residents, delegates and scrutineers (403) and sends the anonymous to sign in, changing nothing', async () => {
		const before = await databaseSnapshot(database.sql);
		for (const [path, form] of staffActions(world)) {
			for (const role of ['resident', 'delegate', 'scrutineer', 'anonymous', 'disabled'] as const) {
				const response = await agents[role].post(path, form);
				const expected = role === 'anonymous' || role === 'disabled' ? 303 : 403;
				expect(`${role} ${path}: ${response.status}`).toBe(`${role} ${path}: ${expected}`);
				await response.body?.cancel();
			}
		}
		expect(await databaseSnapshot(database.sql)).toEqual(before);
	});

	it('lets only a scrutineer confirm a tally: staff are refused, then the scrutineer succeeds', async () => {
		const confirm = `/admin/sessions/${world.closed.id}?/confirm`;
		const before = await databaseSnapshot(database.sql);
		for (const role of ['staff', 'resident', 'delegate'] as const) {
			const response = await agents[role].post(confirm, { confirm: 'yes' });
			expect(response.status, role).toBe(403);
			await response.body?.cancel();
		}
		expect(await databaseSnapshot(database.sql)).toEqual(before);
		const [unconfirmed] = await database.sql<
			{ confirmedBy: number | null }[]
		>`select confirmed_by as "confirmedBy" from voting_session where id = ${world.closed.id}`;
		expect(unconfirmed?.confirmedBy).toBeNull();
		expect((await agents.scrutineer.post(confirm, { confirm: 'yes' })).status).toBe(200);
		const [confirmed] = await database.sql<
			{ confirmedBy: number | null }[]
		>`select confirmed_by as "confirmedBy" from voting_session where id = ${world.closed.id}`;
		expect(confirmed?.confirmedBy).not.toBeNull();
	});
});

describe('cross-origin form posts', () => {
	it('are refused with 403 before any action runs, whatever the session or content type', async () => {
		const w = world;
		const samples: [Role, string, [string, string][] | FormData | string, string | undefined][] = [
			['staff', `/admin/sessions/${w.open.id}?/close`, [['confirm', 'yes']], undefined],
			[
				'staff',
				'/admin/candidates/new',
				[
					['categoryId', String(w.categoryId)],
					['title', 'cross-site']
				],
				undefined
			],
			['staff', '/admin/delegates?/disable', [['delegateId', String(w.open.delegates[0]!.id)]], undefined],
			[
				'staff',
				`/admin/sessions/${w.open.id}/credentials?/issue`,
				[
					['scope', 'all'],
					['confirm', 'yes']
				],
				undefined
			],
			['staff', `/admin/sessions/${w.draft.id}/electorate?/enrol`, 'scope=all', 'text/plain'],
			['scrutineer', `/admin/sessions/${w.closed.id}?/confirm`, [['confirm', 'yes']], undefined],
			['delegate', `/vote/${w.open.id}?/cast`, [['candidate', String(w.open.candidateIds[0])]], undefined],
			['delegate', '/logout', [], undefined],
			[
				'anonymous',
				'/login',
				[
					['username', usernames.staff],
					['password', TEST_PASSWORD]
				],
				undefined
			],
			['anonymous', `/results/${w.closed.id}/receipts`, [['code', w.receiptCodes[0]!.code]], undefined],
			['anonymous', '/language', [['locale', 'en']], undefined]
		];
		const multipart = new FormData();
		multipart.append('file', new Blob(['category,title\r\ncross,site\r\n'], { type: 'text/csv' }), 'import.csv');
		const before = await databaseSnapshot(database.sql);
		for (const origin of ['http://evil.example', 'null', `${app.baseUrl.replace('127.0.0.1', 'localhost')}`]) {
			for (const [role, path, body, contentType] of samples) {
				const response = await agents[role].request(path, { method: 'POST', body, contentType, origin });
				expect(`${origin} ${role} ${path}: ${response.status}`).toBe(`${origin} ${role} ${path}: 403`);
				expect(response.headers.getSetCookie()).toEqual([]);
				await response.body?.cancel();
			}
			const upload = await agents.staff.request('/admin/candidates/import', {
				method: 'POST',
				body: multipart,
				origin
			});
			expect(upload.status).toBe(403);
			await upload.body?.cancel();
		}
		// A form post without any Origin header is refused the same way.
		const bare = await agents.staff.request(`/admin/sessions/${w.open.id}?/close`, {
			method: 'POST',
			body: [['confirm', 'yes']],
			origin: null
		});
		expect(bare.status).toBe(403);
		expect(await databaseSnapshot(database.sql)).toEqual(before);
		// The same posts from the app's own origin still work (the refusal above is the origin's doing).
		expect((await agents.anonymous.post('/language', { locale: 'zh-CN' })).status).toBe(303);
		expect((await agents.delegate.get('/vote')).status).toBe(200);
	});
});
