// Every page of the app, who looks at it and which of its forms has an error state: the list the
// accessibility and device tests walk. A guard test compares it with src/routes, so a new page
// cannot slip by: add it here (or to NOT_PAGES with the reason it renders nothing).
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createCampaign } from '../../src/lib/server/residents/campaigns';
import { reviewProposals, saveProposal } from '../../src/lib/server/residents/proposals';
import { createRound, excludeSupports, replaceSupports } from '../../src/lib/server/residents/selection';
import { castBallot } from '../../src/lib/server/voting/casting';
import { enterPaperBatch } from '../../src/lib/server/voting/paper';
import { addGroupMember } from '../../src/lib/server/delivery/monitoring';
import { readEvaluationForm } from '../../src/lib/server/evaluation/evaluations';
import {
	applyLifecycle,
	confirmTally,
	createVotingSession as createVotingSessionRecord
} from '../../src/lib/server/voting/sessions';
import type { TestDatabase } from '../helpers/database';
import {
	createUser,
	createUsers,
	createVotingSession,
	TEST_PASSWORD,
	type TestSession,
	passwordSignIn
} from '../helpers/factory';
import { routeInventory } from '../helpers/security';
import { verifyMobile } from '../helpers/verification';

export const ROLES = ['public', 'resident', 'delegate', 'staff', 'scrutineer', 'department', 'pending2fa'] as const;
export type Role = (typeof ROLES)[number];
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const HOUR = 3_600_000;
const DEPARTMENT = '台州市住房和城乡建设局';

export interface World {
	users: Record<Exclude<Role, 'public'>, { id: number; username: string }>;
	open: TestSession;
	draft: TestSession;
	closed: TestSession;
	published: TestSession;
	categoryId: number;
	candidateId: number;
	campaignId: number;
	/** Submitted by the resident, under review. */
	proposalId: number;
	/** The resident's draft. */
	draftProposalId: number;
	roundId: number;
	/** Scripted accounts that supported in the round from one address block (two of them excluded). */
	scriptedResidentIds: number[];
	/** A livelihood project (a chosen candidate of the published vote), led by the department. */
	projectId: number;
	projectYear: number;
	/** A draft satisfaction evaluation of the published year's projects. */
	evaluationId: number;
	/** A paper batch of the open vote awaiting the scrutineer's confirmation. */
	paperBatchId: number;
}

/** A form on a page submitted in its error state: every field emptied, the browser's checks off. */
export interface FormProbe {
	/** The form (a CSS selector inside main). */
	form: string;
	/** Puts the form into an invalid state before submitting (default: empty every field). */
	prepare?: (form: Locator) => Promise<void>;
	/** The submit button to press (default: the form's first). */
	submit?: string;
}

export interface PageEntry {
	/** The SvelteKit route id, as under src/routes. */
	route: string;
	role: Role;
	path: (world: World) => string;
	forms?: FormProbe[];
}

/**
 * The environment the page-walking tests start the app with: an identity provider configured (its
 * address is never reached: /login/oidc only shows the notice) so that its page exists.
 */
export const PAGES_APP_ENV: Record<string, string> = {
	OIDC_ISSUER: 'http://127.0.0.1:9/unused-identity-provider',
	OIDC_CLIENT_ID: 'piaojue-pages'
};

/** Route ids that answer with a redirect only (no page to look at). */
export const NOT_PAGES: Record<string, string> = {
	'/language': 'a form action that sets the language cookie and redirects',
	'/logout': 'a form action that signs out and redirects',
	'/text-size': 'a form action that sets the text-size cookie and redirects'
};

// prettier-ignore
export const PAGES: PageEntry[] = [
	// Public (no account)
	{ route: '/',                                   role: 'public',     path: () => '/' },
	{ route: '/projects',                           role: 'public',     path: () => '/projects' },
	{ route: '/projects/[id]',                      role: 'public',     path: (w) => `/projects/${w.candidateId}` },
	{ route: '/proposals',                          role: 'public',     path: () => '/proposals' },
	{ route: '/proposals/new',                      role: 'public',     path: () => '/proposals/new' },
	{ route: '/selection',                          role: 'public',     path: () => '/selection' },
	{ route: '/selection/[roundId]',                role: 'public',     path: (w) => `/selection/${w.roundId}` },
	{ route: '/results/[sessionId]',                role: 'public',     path: (w) => `/results/${w.published.id}` },
	{ route: '/results/[sessionId]/announcement',   role: 'public',     path: (w) => `/results/${w.published.id}/announcement` },
	{ route: '/rules/[sessionId]',                  role: 'public',     path: (w) => `/rules/${w.published.id}` },
	{ route: '/results/[sessionId]/receipts',       role: 'public',     path: (w) => `/results/${w.closed.id}/receipts`, forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/screen/[sessionId]',                 role: 'public',     path: (w) => `/screen/${w.open.id}` },
	{ route: '/screen/[sessionId]',                 role: 'public',     path: (w) => `/screen/${w.published.id}?theme=dark` },
	{ route: '/login',                              role: 'public',     path: () => '/login', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/login/code',                         role: 'public',     path: () => '/login/code', forms: [{ form: 'form[action="?/check"]' }] },
	{ route: '/register',                           role: 'public',     path: () => '/register', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/login/oidc',                         role: 'public',     path: () => '/login/oidc?redirectTo=%2Fme' },
	{ route: '/delivery',                           role: 'public',     path: () => '/delivery' },
	{ route: '/delivery/[projectId]',               role: 'public',     path: (w) => `/delivery/${w.projectId}` },
	{ route: '/delivery/report/[year]',             role: 'public',     path: (w) => `/delivery/report/${w.projectYear}` },
	{ route: '/login/two-factor',                   role: 'pending2fa', path: () => '/login/two-factor', forms: [{ form: 'form[method="POST"]' }] },
	// Resident
	{ route: '/',                                   role: 'resident',   path: () => '/' },
	{ route: '/me',                                 role: 'resident',   path: () => '/me' },
	{ route: '/me/verify',                          role: 'resident',   path: (w) => `/me/verify?redirectTo=%2Fselection%2F${w.roundId}`, forms: [{ form: 'form[action^="?/send"]' }] },
	{ route: '/me/data',                            role: 'resident',   path: () => '/me/data', forms: [{ form: 'form[action="?/delete"]' }] },
	{ route: '/proposals/new',                      role: 'resident',   path: () => '/proposals/new', forms: [{ form: 'form[action="?/submit"]', prepare: emptyExcept(['campaignId']) }] },
	{ route: '/proposals/[id]',                     role: 'resident',   path: (w) => `/proposals/${w.proposalId}` },
	{ route: '/proposals/[id]',                     role: 'resident',   path: (w) => `/proposals/${w.draftProposalId}` },
	{ route: '/selection/[roundId]',                role: 'resident',   path: (w) => `/selection/${w.roundId}`, forms: [{ form: 'form.ballot', prepare: checkAll }] },
	{ route: '/account/security',                   role: 'resident',   path: () => '/account/security', forms: [{ form: 'form[action="?/password"]' }] },
	// Delegate
	{ route: '/vote',                               role: 'delegate',   path: () => '/vote' },
	{ route: '/me/monitoring',                      role: 'delegate',   path: () => '/me/monitoring', forms: [{ form: 'form[action="?/note"]' }] },
	{ route: '/vote/[sessionId]',                   role: 'delegate',   path: (w) => `/vote/${w.open.id}`, forms: [{ form: 'form.ballot', prepare: checkAll }] },
	// Staff
	{ route: '/admin',                              role: 'staff',      path: () => '/admin' },
	{ route: '/admin/audit',                        role: 'staff',      path: () => '/admin/audit' },
	{ route: '/admin/candidates',                   role: 'staff',      path: () => '/admin/candidates' },
	{ route: '/admin/candidates/new',               role: 'staff',      path: () => '/admin/candidates/new', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/candidates/[id]',              role: 'staff',      path: (w) => `/admin/candidates/${w.candidateId}`, forms: [{ form: 'form[method="POST"]:not([action="?/delete"])' }] },
	{ route: '/admin/candidates/categories/new',    role: 'staff',      path: () => '/admin/candidates/categories/new', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/candidates/categories/[id]',   role: 'staff',      path: (w) => `/admin/candidates/categories/${w.categoryId}`, forms: [{ form: 'form[method="POST"]:not([action="?/delete"])' }] },
	{ route: '/admin/candidates/import',            role: 'staff',      path: () => '/admin/candidates/import', forms: [{ form: 'form[enctype="multipart/form-data"]' }] },
	{ route: '/admin/delegates',                    role: 'staff',      path: () => '/admin/delegates', forms: [{ form: 'form[action="?/import"]' }] },
	{ route: '/admin/campaigns',                    role: 'staff',      path: () => '/admin/campaigns', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/campaigns/[id]',               role: 'staff',      path: (w) => `/admin/campaigns/${w.campaignId}`, forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/proposals',                    role: 'staff',      path: () => '/admin/proposals' },
	{ route: '/admin/proposals/[id]',               role: 'staff',      path: (w) => `/admin/proposals/${w.proposalId}`, forms: [{ form: 'form[action="?/review"]', submit: 'button[value="decline"]' }] },
	{ route: '/admin/rounds',                       role: 'staff',      path: () => '/admin/rounds' },
	{ route: '/admin/rounds/new',                   role: 'staff',      path: () => '/admin/rounds/new', forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/rounds/[id]',                  role: 'staff',      path: (w) => `/admin/rounds/${w.roundId}` },
	{ route: '/admin/rounds/[id]/review',           role: 'staff',      path: (w) => `/admin/rounds/${w.roundId}/review`, forms: [{ form: 'form[action="?/exclude"]' }] },
	{ route: '/admin/residents/[id]',               role: 'staff',      path: (w) => `/admin/residents/${w.scriptedResidentIds[0]}?round=${w.roundId}` },
	{ route: '/admin/sessions/new',                 role: 'staff',      path: () => '/admin/sessions/new', forms: [{ form: 'form.session-form' }] },
	{ route: '/admin/sessions/[id]',                role: 'staff',      path: (w) => `/admin/sessions/${w.open.id}`, forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/admin/sessions/[id]',                role: 'staff',      path: (w) => `/admin/sessions/${w.published.id}` },
	{ route: '/admin/sessions/[id]',                role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}`, forms: [{ form: 'form.attendance-rules' }] },
	{ route: '/admin/sessions/[id]/check-in',       role: 'staff',      path: (w) => `/admin/sessions/${w.open.id}/check-in`, forms: [{ form: 'form.code-form' }] },
	{ route: '/admin/sessions/[id]/edit',           role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}/edit`, forms: [{ form: 'form.session-form' }] },
	{ route: '/admin/sessions/[id]/electorate',     role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}/electorate`, forms: [{ form: 'form[action="?/enrol"]' }] },
	{ route: '/admin/sessions/[id]/credentials',    role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}/credentials` },
	{ route: '/admin/sessions/[id]/paper',          role: 'staff',      path: (w) => `/admin/sessions/${w.open.id}/paper`, forms: [{ form: 'form[method="POST"]', prepare: openedThenEmptied }] },
	{ route: '/admin/sessions/[id]/paper/keying',   role: 'scrutineer', path: (w) => `/admin/sessions/${w.open.id}/paper/keying?rows=2`, forms: [{ form: 'form[action^="?/key"]' }] },
	{ route: '/admin/sessions/[id]/procedure',      role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}/procedure`, forms: [{ form: 'form[action="?/adopt"]' }, { form: 'form[action="?/review"]' }] },
	{ route: '/admin/sessions/[id]/scrutineers',    role: 'staff',      path: (w) => `/admin/sessions/${w.draft.id}/scrutineers`, forms: [{ form: 'form[method="POST"]' }] },
	{ route: '/rules/[sessionId]',                  role: 'staff',      path: (w) => `/rules/${w.draft.id}` },
	{ route: '/admin/sessions/[id]/paper/[batchId]', role: 'scrutineer', path: (w) => `/admin/sessions/${w.open.id}/paper/${w.paperBatchId}`, forms: [{ form: 'form[action="?/reject"]' }] },
	{ route: '/admin/projects',                     role: 'staff',      path: () => '/admin/projects', forms: [{ form: 'form[action="?/createDepartment"]' }] },
	{ route: '/admin/projects/[id]',                role: 'staff',      path: (w) => `/admin/projects/${w.projectId}`, forms: [{ form: 'form[action="?/addMember"]' }] },
	{ route: '/admin/evaluations',                  role: 'staff',      path: () => '/admin/evaluations' },
	{ route: '/admin/evaluations/new',              role: 'staff',      path: () => '/admin/evaluations/new', forms: [{ form: 'form.session-form' }] },
	{ route: '/admin/evaluations/[id]/edit',        role: 'staff',      path: (w) => `/admin/evaluations/${w.evaluationId}/edit`, forms: [{ form: 'form.session-form' }] },
	// Department (the lead department of a project)
	{ route: '/department',                         role: 'department', path: () => '/department' },
	{ route: '/department/projects/[id]',           role: 'department', path: (w) => `/department/projects/${w.projectId}`, forms: [{ form: 'form[action="?/postUpdate"]' }] },
	{ route: '/delivery/[projectId]',               role: 'department', path: (w) => `/delivery/${w.projectId}` },
	// Scrutineer
	{ route: '/admin',                              role: 'scrutineer', path: () => '/admin' },
	{ route: '/admin/sessions/[id]',                role: 'scrutineer', path: (w) => `/admin/sessions/${w.closed.id}`, forms: [{ form: 'form[action="?/confirm"]' }] },
	{ route: '/admin/audit',                        role: 'scrutineer', path: (w) => `/admin/audit?session=${w.closed.id}` }
];

/** Ticks every checkbox of the form: more than any limit allows. */
async function checkAll(form: Locator): Promise<void> {
	await form.evaluate((element) => {
		for (const box of element.querySelectorAll<HTMLInputElement>('input[type="checkbox"]')) box.checked = true;
	});
}

/** Opens the folded part (<details>) the form is in, then empties its fields. */
async function openedThenEmptied(form: Locator): Promise<void> {
	await form.evaluate((element) => {
		const folded = element.closest('details');
		if (folded) folded.open = true;
	});
	await emptyFields(form);
}

/** Empties every field but the named ones. */
function emptyExcept(keep: string[]): (form: Locator) => Promise<void> {
	return (form) => emptyFields(form, keep);
}

/** Empties the fields a person fills in (text, numbers, dates, choices, files); hidden fields stay. */
export async function emptyFields(form: Locator, keep: string[] = []): Promise<void> {
	await form.evaluate((element, kept) => {
		(element as HTMLFormElement).noValidate = true;
		for (const field of element.querySelectorAll<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
			'input, textarea, select'
		)) {
			if (kept.includes(field.name)) continue;
			if (field instanceof HTMLInputElement && ['hidden', 'submit', 'button'].includes(field.type)) continue;
			if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio'))
				field.checked = false;
			else if (field instanceof HTMLSelectElement) field.selectedIndex = -1;
			else field.value = '';
		}
	}, keep);
}

/** The route ids of src/routes that render a page, and those the list above lacks. */
export function unlistedPages(): string[] {
	const listed = new Set([...PAGES.map((entry) => entry.route), ...Object.keys(NOT_PAGES)]);
	return routeInventory()
		.filter((entry) => entry.kind === 'page')
		.map((entry) => entry.routeId)
		.filter((routeId) => !listed.has(routeId));
}

/** Sessions in every state, a campaign with proposals, a selection round, and one user per role. */
export async function buildWorld(database: TestDatabase): Promise<World> {
	const sql = database.sql;
	const staff = await createUser(sql, ['staff'], 'staff');
	const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
	const resident = await createUser(sql, ['resident'], 'resident');
	await verifyMobile(sql, resident.id, '13812341234'); // rounds take phone-verified residents by default
	const pending2fa = await createUser(sql, ['staff'], 'twofactor');
	const department = await createUser(sql, ['department'], 'department');
	await sql`insert into department_account (user_id, department_name) values (${department.id}, ${DEPARTMENT})`;
	// An enrolled authenticator (its key is never used: the page is looked at, no code is checked).
	await sql`insert into two_factor_credential (user_id, secret_ciphertext, last_used_step) values (${pending2fa.id}, ${randomBytes(48)}, 0)`;
	const open = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 3 });
	const draft = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2, open: false });
	const closed = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 3 });
	const published = await createVotingSession(sql, { candidates: 6, seats: 3, delegates: 3, open: false });
	// Its projects are led by the department (set while the candidates may still change).
	await sql`update candidate set lead_department = ${DEPARTMENT}, targets = ${['新增电梯 20 部']} where id in ${sql(published.candidateIds)}`;
	await expectOk(applyLifecycle(sql, published.id, 'open', staff.id), 'open');
	for (const [index, delegate] of closed.delegates.slice(0, 2).entries()) {
		await castBallot(sql, {
			votingSessionId: closed.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: [closed.candidateIds[index]!] }
		});
	}
	await expectOk(applyLifecycle(sql, closed.id, 'close', staff.id), 'close');
	for (const [index, delegate] of published.delegates.entries()) {
		await castBallot(sql, {
			votingSessionId: published.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: published.candidateIds.slice(index, index + 3) }
		});
	}
	await expectOk(applyLifecycle(sql, published.id, 'close', staff.id), 'close');
	await expectOk(confirmTally(sql, published.id, scrutineer.id, await passwordSignIn(sql, scrutineer.id)), 'confirm');
	await expectOk(applyLifecycle(sql, published.id, 'publish', staff.id), 'publish');
	// Publishing made the chosen candidates the year's projects; an evaluation of them is drafted.
	const [project] = await sql<
		{ id: number; year: number }[]
	>`select id, year from livelihood_project where voting_session_id = ${published.id} order by rank limit 1`;
	if (!project) throw new Error('publishing made no project');
	const evaluation = await readEvaluationForm(sql, {
		title: '2022年民生实事项目满意度测评',
		year: String(project.year),
		allowAbstain: '',
		opensAt: '',
		closesAt: ''
	});
	if (!evaluation.ok) throw new Error(`could not draft the evaluation: ${JSON.stringify(evaluation.errors)}`);
	const evaluationId = await createVotingSessionRecord(sql, evaluation.session, staff.id);
	// A paper batch of the open vote, waiting for the scrutineer it names.
	const paperBatch = await enterPaperBatch(sql, {
		votingSessionId: open.id,
		enteredBy: staff.id,
		delegateReferences: [open.delegates[2]!.username],
		ballots: [{ isVoid: false, choices: [{ candidateId: open.candidateIds[1]!, choice: 'for' }], channel: 'paper' }],
		scrutineerIds: [scrutineer.id],
		note: '1号票箱'
	});
	if (!paperBatch.ok) throw new Error(`could not enter the paper batch: ${JSON.stringify(paperBatch.error)}`);
	// The delegate watches the project for the congress (monitoring group).
	await expectOk(addGroupMember(sql, project.id, open.delegates[0]!.username, staff.id), 'add to the monitoring group');

	const [candidate] = await sql<
		{ id: number; categoryId: number }[]
	>`select id, category_id as "categoryId" from candidate where id = ${open.candidateIds[0]!}`;
	const campaignId = await createCampaign(
		sql,
		{
			title: '2026年民生实事项目公开征集',
			year: 2026,
			opensAt: new Date(Date.now() - HOUR),
			closesAt: new Date(Date.now() + 72 * HOUR),
			criteria: '普惠性、可行性、当年完成'
		},
		staff.id
	);
	const proposal = {
		campaignId,
		title: '为椒江区老旧小区加装电梯',
		categoryId: candidate!.categoryId,
		district: '椒江区',
		problem: '老旧小区没有电梯，老人上下楼困难。',
		measure: '为 20 个小区加装电梯。',
		beneficiaries: '约 3000 名居民',
		estimatedCostYuan: 12_000_000,
		contact: ''
	} as Parameters<typeof saveProposal>[3];
	const submitted = await saveProposal(sql, resident.id, null, proposal, 'submit');
	const drafted = await saveProposal(sql, resident.id, null, { ...proposal, title: '修缮社区公园步道' }, 'draft');
	if (!submitted.ok || !drafted.ok) throw new Error('could not save the proposals');
	// Under review: staff may accept or decline it (a decline needs a reason).
	await expectOk(reviewProposals(sql, staff.id, [submitted.id], 'start_review', ''), 'start the review');
	const round = await createRound(
		sql,
		{
			title: '2026年民生实事项目网上评选',
			opensAt: new Date(Date.now() - HOUR),
			closesAt: new Date(Date.now() + 24 * HOUR),
			maxSupports: 2,
			liveRanking: true,
			candidateIds: draft.candidateIds
		},
		staff.id
	);
	if (!round.ok) throw new Error(`could not create the round: ${round.problem}`);
	// The resident and six scripted accounts support; the script shows in the review; two are excluded.
	await expectOk(replaceSupports(sql, round.id, resident.id, [draft.candidateIds[0]!]), 'support');
	const scripted = await createUsers(sql, 6, ['resident'], 'scripted');
	for (const account of scripted) {
		await verifyMobile(sql, account.id);
		await expectOk(
			replaceSupports(sql, round.id, account.id, [draft.candidateIds[1]!], {
				addressPrefix: '203.0.113.0/24',
				userAgent: 'python-requests/2.31'
			}),
			'scripted support'
		);
	}
	await expectOk(
		excludeSupports(
			sql,
			round.id,
			scripted.slice(0, 2).map((account) => account.id),
			'同一地址段批量注册后集中支持',
			staff.id
		),
		'exclude'
	);
	return {
		users: { staff, scrutineer, resident, delegate: open.delegates[0]!, department, pending2fa },
		open,
		draft,
		closed,
		published,
		categoryId: candidate!.categoryId,
		candidateId: candidate!.id,
		campaignId,
		proposalId: submitted.id,
		draftProposalId: drafted.id,
		roundId: round.id,
		scriptedResidentIds: scripted.map((account) => account.id),
		projectId: project.id,
		projectYear: project.year,
		evaluationId,
		paperBatchId: paperBatch.batchId
	};
}

async function expectOk(result: Promise<{ ok: boolean }>, step: string): Promise<void> {
	const outcome = await result;
	if (!outcome.ok) throw new Error(`${step} failed: ${JSON.stringify(outcome)}`);
}

/** A browser profile in `language`, signed in as `role` (through the /login form action over HTTP). */
export async function contextFor(
	browser: Browser,
	baseUrl: string,
	world: World,
	role: Role,
	language: Language,
	viewport: { width: number; height: number } = { width: 1366, height: 768 },
	preferences: { colorScheme?: 'light' | 'dark'; reducedMotion?: 'reduce' | 'no-preference' } = {}
): Promise<BrowserContext> {
	const context = await browser.newContext({ viewport, locale: language, timezoneId: 'Asia/Shanghai', ...preferences });
	context.setDefaultTimeout(15_000);
	context.setDefaultNavigationTimeout(20_000);
	await context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: language, url: baseUrl }]);
	if (role !== 'public') {
		const response = await context.request.post(`${baseUrl}/login`, {
			form: { username: world.users[role].username, password: TEST_PASSWORD },
			headers: { origin: baseUrl, accept: 'text/html' },
			maxRedirects: 0
		});
		if (response.status() !== 303) throw new Error(`signing in as ${role} answered ${response.status()}`);
	}
	return context;
}

/** Opens a page and waits until it has settled (scripts loaded, hydrated). */
export async function visit(page: Page, baseUrl: string, path: string): Promise<void> {
	const response = await page.goto(`${baseUrl}${path}`, { waitUntil: 'networkidle' });
	if (!response || response.status() >= 400) throw new Error(`${path} answered ${response?.status()}`);
}

/**
 * Where the keyboard focus is, when it is not on a field marked invalid or in an error message
 * (null when it is). The page moves the focus once it has drawn the errors: this waits up to 5 s.
 */
export async function focusAwayFromError(page: Page): Promise<string | null> {
	try {
		await page.waitForFunction(
			() => !!document.activeElement?.closest('[aria-invalid="true"], [role="alert"], .error, .field-error'),
			undefined,
			{ timeout: 5_000 }
		);
		return null;
	} catch {
		// Say where the focus is instead.
	}
	return page.evaluate(() => {
		const active = document.activeElement;
		if (active?.closest('[aria-invalid="true"], [role="alert"], .error, .field-error')) return null;
		return active
			? `${active.tagName.toLowerCase()}${active.id ? `#${active.id}` : ''} "${(active.textContent ?? '').trim().slice(0, 30)}"`
			: 'nothing';
	});
}

/** Submits a form in its error state and waits for the answer; the page then shows an error. */
export async function submitInvalid(page: Page, probe: FormProbe): Promise<void> {
	const form = page.locator('main').locator(probe.form).first();
	if (probe.prepare) {
		await form.evaluate((element) => ((element as HTMLFormElement).noValidate = true));
		await probe.prepare(form);
	} else {
		await emptyFields(form);
	}
	await form
		.locator(probe.submit ?? 'button[type="submit"], button:not([type])')
		.first()
		.click();
	await page.waitForLoadState('networkidle');
	try {
		await page.locator('main').locator('.error, .field-error, [role="alert"]').first().waitFor();
	} catch (cause) {
		throw new Error(`${page.url()}: submitting ${probe.form} in its error state showed no error`, { cause });
	}
}
