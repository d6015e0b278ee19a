// Demo data for a newcomer: the 12 categories and 34 candidates modelled on Taizhou's 2022
// report, an open approval vote (N = 10) with 444 enrolled demo delegates, a staff account and
// three demo delegates who can sign in. Passwords are generated (or ADMIN_PASSWORD) and
// returned once for printing; no fixed default password exists.
import type { Sql } from '../db/client';
import { generatePassword, hashPassword } from '../auth/password';
import { appendAudit } from '../audit/audit';
import { insertUser } from '../users/users';
import { applyLifecycleInTransaction, enrollDelegates, insertVotingSession } from '../voting/sessions';
import { DEMO_CANDIDATE_YEAR, demoCandidateTitle, demoCategories } from './demo-data';
import { seedDeliveryDemo, type DeliveryDemoCredentials } from '../delivery/demo';
import { seedEvaluationDemo } from '../evaluation/demo';
import { DEMO_MEETING_NAME, recordDemoProcedure } from './demo-procedure';
import { DEFAULT_MIN_CANDIDATE_RATIO } from '$lib/domain/procedure';

export const DEMO_DELEGATE_COUNT = 444;
export const DEMO_SESSION_TITLE = '2022年台州市民生实事项目票决';
export const DEMO_SIGN_IN_DELEGATES = 3;
/**
 * Demo delegates checked in at the hall (签到), the three who can sign in among them: above the
 * quorum of 297 (more than two thirds of 444), so the demo session opens and `npm start` leads
 * straight to a vote.
 */
export const DEMO_PRESENT_DELEGATES = 430;

export interface DemoCredentials {
	staff: { username: string; password: string; generated: boolean };
	scrutineer: { username: string; password: string };
	delegates: { username: string; password: string }[];
	votingSessionId: number;
	/** Delivery tracking: the past year's projects and a department account. */
	delivery: DeliveryDemoCredentials;
	/** The open satisfaction evaluation of the past year's projects. */
	evaluationSessionId: number;
}

/**
 * The delegations (代表团) of Taizhou's People's Congress, one per county-level district: the demo's
 * 444 delegates in nine blocks, so the hall's check-in and the console can be filtered by delegation.
 */
export const DEMO_DELEGATIONS = [
	'椒江区',
	'黄岩区',
	'路桥区',
	'临海市',
	'温岭市',
	'玉环市',
	'天台县',
	'仙居县',
	'三门县'
];

export function demoDelegationOf(index: number): string {
	const perDelegation = Math.ceil(DEMO_DELEGATE_COUNT / DEMO_DELEGATIONS.length);
	return DEMO_DELEGATIONS[Math.min(DEMO_DELEGATIONS.length - 1, Math.floor(index / perDelegation))]!;
}

/** What the sign-in demo delegates also are in the 2022 vote (they vote too). */
const DEMO_DELEGATE_DUTIES = [
	'总监票人 chief scrutineer of the 2022 vote',
	'监票人 scrutineer of the 2022 vote',
	'监票人 scrutineer of the 2022 vote'
];

export function demoDelegateUsername(index: number): string {
	return `delegate${String(index).padStart(3, '0')}`;
}

/** True when the database holds no users and no candidates. */
export async function isDatabaseEmpty(sql: Sql): Promise<boolean> {
	const [row] = await sql<{ empty: boolean }[]>`
		select not exists (select 1 from app_user) and not exists (select 1 from candidate) as empty`;
	return row?.empty ?? false;
}

export async function seedDemo(
	sql: Sql,
	options: { adminPassword?: string; onProgress?: (step: string) => void } = {}
): Promise<DemoCredentials> {
	const progress = options.onProgress ?? (() => {});
	const staffPassword = options.adminPassword || generatePassword();
	const scrutineerPassword = generatePassword();
	const delegatePasswords = Array.from({ length: DEMO_SIGN_IN_DELEGATES }, () => generatePassword());
	progress('hashing passwords');
	const [staffHash, scrutineerHash, ...delegateHashes] = await Promise.all(
		[staffPassword, scrutineerPassword, ...delegatePasswords].map((password) => hashPassword(password))
	);

	const votingSessionId = await sql.begin(async (tx) => {
		progress('categories and candidates');
		const candidateIds: number[] = [];
		for (const [categoryIndex, category] of demoCategories.entries()) {
			const [inserted] = await tx<{ id: number }[]>`
				insert into category (name, position, is_demo) values (${category.name}, ${categoryIndex + 1}, true) returning id`;
			const rows = await tx<{ id: number }[]>`
				insert into candidate ${tx(
					category.candidates.map((candidate, position) => ({
						category_id: (inserted as { id: number }).id,
						year: DEMO_CANDIDATE_YEAR,
						title: demoCandidateTitle(candidate),
						summary: candidate.summary,
						targets: candidate.targets,
						lead_department: candidate.leadDepartment,
						budget_yuan: candidate.budgetYuan,
						expected_completion: candidate.expectedCompletion,
						position: position + 1,
						is_demo: true
					}))
				)} returning id`;
			candidateIds.push(...rows.map((row) => row.id));
		}

		progress('accounts');
		const staffId = await insertUser(tx, {
			username: 'admin',
			displayName: '秘书处工作人员（示例）',
			passwordHash: staffHash as string,
			roles: ['staff']
		});
		await insertUser(tx, {
			username: 'scrutineer',
			displayName: '监票人（示例）',
			passwordHash: scrutineerHash as string,
			roles: ['scrutineer']
		});
		const delegates = Array.from({ length: DEMO_DELEGATE_COUNT }, (_, index) => ({
			username: demoDelegateUsername(index + 1),
			display_name: `示例代表${String(index + 1).padStart(3, '0')}`,
			delegation: demoDelegationOf(index),
			password_hash: index < DEMO_SIGN_IN_DELEGATES ? (delegateHashes[index] as string) : null
		}));
		const delegateRows = await tx<{ id: number }[]>`insert into app_user ${tx(delegates)} returning id`;
		const delegateIds = delegateRows.map((row) => row.id);
		await tx`insert into user_role ${tx(delegateIds.map((id) => ({ user_id: id, role: 'delegate' })))}`;

		progress('voting session');
		const id = await insertVotingSession(
			tx,
			{
				title: DEMO_SESSION_TITLE,
				year: 2022,
				rules: { ballotMethod: 'approval', seats: 10, thresholdBase: 'enrolled' },
				candidateIds,
				isDemo: true,
				procedure: {
					meetingName: DEMO_MEETING_NAME,
					requireAdoptedRules: true,
					requireReview: true,
					requireNamedScrutineers: true,
					minCandidateRatio: DEFAULT_MIN_CANDIDATE_RATIO
				}
			},
			staffId
		);
		await enrollDelegates(tx, id, delegateIds, staffId);
		// The meeting's procedure before the vote: the three demo delegates who can sign in are the
		// 总监票人 and the two 监票人 (they still vote), the staff account counts.
		await recordDemoProcedure(
			tx,
			id,
			{
				review: {
					meeting: '台州市第五届人民代表大会常务委员会第四十二次会议（示例）',
					on: '2022-01-10',
					document: '台人常〔2022〕1号（示例）'
				},
				adoptedOn: '2022-01-18',
				scrutineersApprovedOn: '2022-01-19',
				chief: demoDelegateUsername(1),
				members: [demoDelegateUsername(2), demoDelegateUsername(3)],
				counters: ['admin']
			},
			staffId
		);
		// 签到 at the hall, as staff record it (one audit entry per delegate, as the check-in page writes).
		const present = await tx<{ username: string }[]>`
			update electorate_member e set present = true from app_user u
			where e.voting_session_id = ${id} and u.id = e.delegate_id and e.delegate_id = any(${delegateIds.slice(0, DEMO_PRESENT_DELEGATES)})
			returning u.username`;
		for (const delegate of present) {
			await appendAudit(tx, {
				actorUserId: staffId,
				action: 'presence.marked',
				votingSessionId: id,
				details: { delegate: delegate.username, present: true, by: 'staff' }
			});
		}
		const opened = await applyLifecycleInTransaction(tx, id, 'open', staffId);
		if (!opened.ok) throw new Error(`could not open the demo session: ${opened.error}`);
		await appendAudit(tx, {
			actorUserId: null,
			action: 'demo.seeded',
			votingSessionId: id,
			details: { candidates: candidateIds.length, delegates: delegateIds.length, present: present.length }
		});
		return id;
	});

	progress('delivery tracking');
	const delivery = await seedDeliveryDemo(sql, {
		staff: 'admin',
		delegates: Array.from({ length: 25 }, (_, index) => demoDelegateUsername(index + 1))
	});

	progress('satisfaction evaluation');
	const evaluationSessionId = await seedEvaluationDemo(sql, {
		year: delivery.year,
		title: `${delivery.year}年度民生实事项目满意度测评（示例）`,
		staffUsername: 'admin'
	});

	return {
		delivery,
		evaluationSessionId,
		staff: { username: 'admin', password: staffPassword, generated: !options.adminPassword },
		scrutineer: { username: 'scrutineer', password: scrutineerPassword },
		delegates: delegatePasswords.map((password, index) => ({ username: demoDelegateUsername(index + 1), password })),
		votingSessionId: votingSessionId as number
	};
}

/** The console text that hands the generated sign-in details over, once. */
export function formatDemoCredentials(credentials: DemoCredentials, baseUrl: string): string {
	const lines = [
		'',
		'Piaojue demo data loaded (示例数据). Sign-in details, shown only this once:',
		`  staff (秘书处)      ${credentials.staff.username} / ${credentials.staff.generated ? credentials.staff.password : '(ADMIN_PASSWORD)'}`,
		`  scrutineer (监票人) ${credentials.scrutineer.username} / ${credentials.scrutineer.password}  (standing role: confirms the evaluation)`,
		...credentials.delegates.map(
			(delegate, index) =>
				`  delegate (代表)     ${delegate.username} / ${delegate.password}${DEMO_DELEGATE_DUTIES[index] ? `  (${DEMO_DELEGATE_DUTIES[index]})` : ''}`
		),
		`  department (部门)   ${credentials.delivery.department.username} / ${credentials.delivery.department.password}  (${credentials.delivery.department.departmentName})`,
		`  Vote at ${baseUrl}/vote/${credentials.votingSessionId}`,
		`  Evaluate the ${credentials.delivery.year} projects at ${baseUrl}/vote/${credentials.evaluationSessionId}`,
		`  Delivery of the ${credentials.delivery.year} demo projects: ${baseUrl}/delivery?year=${credentials.delivery.year}`,
		'  Lost them? npm run cli -- user:password USERNAME',
		''
	];
	return lines.join('\n');
}
