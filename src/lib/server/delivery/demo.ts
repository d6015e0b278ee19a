// Demo data for delivery tracking (示例数据, invented, not an official list): a past year's vote
// (2021, six demo candidates, 25 demo delegates), published so that its four chosen candidates
// become projects; progress updates; a department account; a monitoring group with an approved
// and a pending inspection note. One transaction, after the main demo data exists.
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';
import { generatePassword, hashPassword } from '../auth/password';
import {
	applyLifecycleInTransaction,
	confirmTallyInTransaction,
	enrollDelegates,
	insertVotingSession
} from '../voting/sessions';
import { recordDemoProcedure } from '../seed/demo-procedure';
import { DEFAULT_MIN_CANDIDATE_RATIO } from '$lib/domain/procedure';
import { insertDepartmentAccount } from './departments';

export const DEMO_PAST_YEAR = 2021;
export const DEMO_DEPARTMENT_USERNAME = 'minzheng';
const DEMO_DEPARTMENT = '市民政局';
const VOTERS = 25;

interface DemoPastCandidate {
	category: string;
	title: string;
	summary: string;
	targets: string[];
	leadDepartment: string;
	budgetYuan: number;
	expectedCompletion: string;
	/** How many of the 25 demo voters tick it. */
	votes: number;
}

// Invented for the demo, in the manner of the 2022 list (demo-data.ts).
const PAST_CANDIDATES: DemoPastCandidate[] = [
	{
		category: '养老服务',
		title: '（2021示例）新建城乡社区居家养老服务中心',
		summary: '在城乡社区新建居家养老服务中心，提供助餐、日间照料和康复服务。',
		targets: ['新建居家养老服务中心 20 家', '新增老年助餐点 50 个'],
		leadDepartment: DEMO_DEPARTMENT,
		budgetYuan: 30_000_000,
		expectedCompletion: '2021-12-31',
		votes: 25
	},
	{
		category: '养老服务',
		title: '（2021示例）困难老人家庭适老化改造',
		summary: '为经济困难的高龄、失能老人家庭做防滑、扶手等适老化改造。',
		targets: ['完成适老化改造 1000 户'],
		leadDepartment: DEMO_DEPARTMENT,
		budgetYuan: 5_000_000,
		expectedCompletion: '2021-11-30',
		votes: 22
	},
	{
		category: '教育补短',
		title: '（2021示例）新建改扩建公办幼儿园',
		summary: '新建、改扩建公办幼儿园，增加普惠性学位。',
		targets: ['新建改扩建幼儿园 12 所', '新增学位 3600 个'],
		leadDepartment: '市教育局',
		budgetYuan: 180_000_000,
		expectedCompletion: '2021-09-01',
		votes: 19
	},
	{
		category: '公共安全',
		title: '（2021示例）老旧小区消防设施改造',
		summary: '为老旧小区增设消防栓、喷淋和电动自行车集中充电设施。',
		targets: ['改造老旧小区 60 个', '建设集中充电桩 3000 个'],
		leadDepartment: '市消防救援支队',
		budgetYuan: 24_000_000,
		expectedCompletion: '2021-12-31',
		votes: 16
	},
	{
		category: '公共安全',
		title: '（2021示例）农村道路安全隐患整治',
		summary: '整治农村公路急弯陡坡、临水临崖等安全隐患路段。',
		targets: ['整治隐患路段 150 公里'],
		leadDepartment: '市交通运输局',
		budgetYuan: 40_000_000,
		expectedCompletion: '2021-12-31',
		votes: 9
	},
	{
		category: '教育补短',
		title: '（2021示例）中小学校园心理辅导室建设',
		summary: '为中小学配齐标准化心理辅导室和专兼职心理教师。',
		targets: ['建成心理辅导室 80 间'],
		leadDepartment: '市教育局',
		budgetYuan: 4_000_000,
		expectedCompletion: '2021-12-31',
		votes: 5
	}
];

/** Which demo candidates voter `index` ticks (at most the four seats). */
function ticksOf(index: number): number[] {
	return PAST_CANDIDATES.map((candidate, position) => ({ candidate, position }))
		.filter(({ candidate }, order) => (order < 4 ? index < candidate.votes : index >= VOTERS - candidate.votes))
		.map(({ position }) => position)
		.slice(0, 4);
}

async function userId(tx: TransactionSql, username: string): Promise<number> {
	const [row] = await tx<{ id: number }[]>`select id from app_user where lower(username) = lower(${username})`;
	if (!row) throw new Error(`the demo user ${username} is missing`);
	return row.id;
}

export interface DeliveryDemoCredentials {
	department: { username: string; password: string; departmentName: string };
	year: number;
}

export async function seedDeliveryDemo(
	sql: Sql,
	accounts: { staff: string; delegates: string[] }
): Promise<DeliveryDemoCredentials> {
	const password = generatePassword();
	const passwordHash = await hashPassword(password);
	await sql.begin(async (tx) => {
		const staffId = await userId(tx, accounts.staff);
		const delegateIds: number[] = [];
		for (const username of accounts.delegates.slice(0, VOTERS)) delegateIds.push(await userId(tx, username));

		const candidateIds: number[] = [];
		for (const candidate of PAST_CANDIDATES) {
			const [row] = await tx<{ id: number }[]>`
				insert into candidate (category_id, year, title, summary, targets, lead_department, budget_yuan, expected_completion, is_demo)
				select id, ${DEMO_PAST_YEAR}, ${candidate.title}, ${candidate.summary}, ${candidate.targets}, ${candidate.leadDepartment}, ${candidate.budgetYuan},
				       ${candidate.expectedCompletion}, true
				from category where name = ${candidate.category}
				returning id`;
			if (!row) throw new Error(`the demo category ${candidate.category} is missing`);
			candidateIds.push(row.id);
		}

		// The 2021 vote: its procedure (review, 票决办法, scrutineers named from the voters), opened, 25 ballots
		// (written as the casting path would: a mark, a ballot without voter, its ticks), counted, confirmed by
		// the 总监票人 and both 监票人, published.
		const sessionId = await insertVotingSession(
			tx,
			{
				title: `${DEMO_PAST_YEAR}年台州市民生实事项目票决（示例）`,
				year: DEMO_PAST_YEAR,
				rules: { ballotMethod: 'approval', seats: 4, thresholdBase: 'enrolled' },
				candidateIds,
				isDemo: true,
				procedure: {
					meetingName: '台州市第五届人民代表大会第六次会议（示例）',
					requireAdoptedRules: true,
					requireReview: true,
					requireNamedScrutineers: true,
					minCandidateRatio: DEFAULT_MIN_CANDIDATE_RATIO
				}
			},
			staffId
		);
		await enrollDelegates(tx, sessionId, delegateIds, staffId);
		const panel = accounts.delegates.slice(0, 3);
		await recordDemoProcedure(
			tx,
			sessionId,
			{
				review: {
					meeting: '台州市第五届人民代表大会常务委员会第三十次会议（示例）',
					on: '2021-01-12',
					document: '台人常〔2021〕2号（示例）'
				},
				adoptedOn: '2021-01-20',
				scrutineersApprovedOn: '2021-01-21',
				chief: panel[0] as string,
				members: panel.slice(1),
				counters: [accounts.staff]
			},
			staffId
		);
		// All 25 checked in at the hall (签到), so the quorum is met and each may vote.
		await tx`update electorate_member set present = true where voting_session_id = ${sessionId}`;
		const opened = await applyLifecycleInTransaction(tx, sessionId, 'open', staffId);
		if (!opened.ok) throw new Error(`could not open the ${DEMO_PAST_YEAR} demo vote: ${opened.error}`);
		for (const [index, delegateId] of delegateIds.entries()) {
			await tx`insert into ballot_mark (voting_session_id, delegate_id) values (${sessionId}, ${delegateId})`;
			const [ballot] = await tx<
				{ id: string }[]
			>`insert into ballot (voting_session_id) values (${sessionId}) returning id`;
			const ticks = ticksOf(index).map((position) => ({
				ballot_id: (ballot as { id: string }).id,
				voting_session_id: sessionId,
				candidate_id: candidateIds[position] as number,
				choice: 'for'
			}));
			if (ticks.length > 0) await tx`insert into ballot_choice ${tx(ticks)}`;
		}
		const closed = await applyLifecycleInTransaction(tx, sessionId, 'close', staffId);
		if (!closed.ok) throw new Error(`could not close the ${DEMO_PAST_YEAR} demo vote: ${closed.error}`);
		for (const username of panel) {
			const confirmed = await confirmTallyInTransaction(tx, sessionId, await userId(tx, username), 'demo_seed');
			if (!confirmed.ok) throw new Error(`could not confirm the ${DEMO_PAST_YEAR} demo vote: ${confirmed.error}`);
		}
		const published = await applyLifecycleInTransaction(tx, sessionId, 'publish', staffId);
		if (!published.ok) throw new Error(`could not publish the ${DEMO_PAST_YEAR} demo vote: ${published.error}`);

		// The projects now exist (the publication carried them over). Progress through the year.
		const projects = await tx<{ id: number; title: string; targets: string[] }[]>`
			select id, title, targets from livelihood_project where voting_session_id = ${sessionId} order by rank, id`;
		const departmentId = await insertDepartmentAccount(
			tx,
			{
				username: DEMO_DEPARTMENT_USERNAME,
				displayName: `${DEMO_DEPARTMENT}（示例）`,
				departmentName: DEMO_DEPARTMENT,
				passwordHash
			},
			staffId
		);
		const reports: {
			project: number;
			on: string;
			status: string;
			percentages: number[];
			body: string;
			byDepartment: boolean;
		}[] = [
			{
				project: 0,
				on: '2021-04-15',
				status: 'on_track',
				percentages: [25, 30],
				body: '已完成选址 20 处，首批 5 家中心开工建设；助餐点招募运营机构。',
				byDepartment: true
			},
			{
				project: 0,
				on: '2021-08-20',
				status: 'on_track',
				percentages: [60, 72],
				body: '12 家中心主体完工，36 个助餐点投入运营。',
				byDepartment: true
			},
			{
				project: 0,
				on: '2021-12-20',
				status: 'done',
				percentages: [100, 100],
				body: '20 家居家养老服务中心全部建成投用，新增助餐点 50 个。',
				byDepartment: true
			},
			{
				project: 1,
				on: '2021-06-30',
				status: 'at_risk',
				percentages: [35],
				body: '入户评估进度慢于计划，已增加两家施工单位。',
				byDepartment: true
			},
			{
				project: 1,
				on: '2021-10-31',
				status: 'on_track',
				percentages: [82],
				body: '已完成改造 820 户，剩余 180 户 11 月底前完成。',
				byDepartment: false
			},
			{
				project: 2,
				on: '2021-07-10',
				status: 'delayed',
				percentages: [50, 45],
				body: '两所幼儿园因用地调整推迟开工，其余按计划推进。',
				byDepartment: false
			},
			{
				project: 3,
				on: '2021-09-15',
				status: 'on_track',
				percentages: [55, 60],
				body: '已改造老旧小区 33 个，建成集中充电桩 1800 个。',
				byDepartment: false
			}
		];
		for (const report of reports) {
			const project = projects[report.project];
			if (!project) continue;
			await tx`
				insert into progress_update (project_id, reported_on, body, target_percentages, status, author_id)
				values (${project.id}, ${report.on}, ${report.body}, ${report.percentages}::int[], ${report.status}, ${report.byDepartment ? departmentId : staffId})`;
		}

		// The monitoring group of the first project: two demo delegates, one approved note, one awaiting review.
		const first = projects[0];
		if (first) {
			const [memberA, memberB] = delegateIds as [number, number];
			await tx`insert into monitoring_group_member ${tx([memberA, memberB].map((delegateId) => ({ project_id: first.id, delegate_id: delegateId, added_by: staffId })))}`;
			const [approved] = await tx<{ id: number }[]>`
				insert into inspection_note (project_id, author_id, visited_on, body)
				values (${first.id}, ${memberA}, '2021-09-08', '视察了 3 家已建成的居家养老服务中心，助餐服务运行良好，建议增加送餐上门覆盖范围。') returning id`;
			await tx`update inspection_note set status = 'approved', reviewed_by = ${staffId}, reviewed_at = now() where id = ${(approved as { id: number }).id}`;
			await tx`
				insert into inspection_note (project_id, author_id, visited_on, body)
				values (${first.id}, ${memberB}, '2021-11-16', '部分中心康复设备尚未配齐，请牵头部门年底前落实。')`;
		}
		await appendAudit(tx, {
			actorUserId: null,
			action: 'delivery.demo_seeded',
			votingSessionId: sessionId,
			details: { year: DEMO_PAST_YEAR, projects: projects.length }
		});
	});
	return {
		department: { username: DEMO_DEPARTMENT_USERNAME, password, departmentName: DEMO_DEPARTMENT },
		year: DEMO_PAST_YEAR
	};
}
