// Delivery tracking against real PostgreSQL: the carry-over of a published vote's chosen
// candidates into the year's projects, the department role's limits, inspection notes that stay
// private until staff approve them, photo checks (the stored bytes carry no metadata) and the
// bounds the database puts on progress percentages.
import { createHash } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanImage } from '../../src/lib/server/delivery/images';
import { createDepartmentAccount } from '../../src/lib/server/delivery/departments';
import {
	addGroupMember,
	listInspectionNotes,
	postInspectionNote,
	reviewInspectionNote
} from '../../src/lib/server/delivery/monitoring';
import { getProject, listProjects, projectAccess } from '../../src/lib/server/delivery/projects';
import { listProgressUpdates, postProgressUpdate, getPhoto } from '../../src/lib/server/delivery/updates';
import { seedDemo } from '../../src/lib/server/seed/demo';
import { castBallot } from '../../src/lib/server/voting/casting';
import { applyLifecycle, confirmTally } from '../../src/lib/server/voting/sessions';
import { createTestDatabase } from '../helpers/database';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, type TestSession, passwordSignIn } from '../helpers/factory';

const database = useTestDatabase();
let staff: { id: number; username: string };
let publisher: { id: number; username: string };
let scrutineer: { id: number; username: string };

/** An approval vote of 4 candidates for 2 seats; 3 delegates tick the first two, so those two are chosen. */
async function countedVote(options: { departments?: string[]; year?: number } = {}): Promise<TestSession> {
	const session = await createVotingSession(database.sql, { candidates: 4, seats: 2, delegates: 3, open: false });
	for (const [index, candidateId] of session.candidateIds.entries()) {
		const department = options.departments?.[index] ?? '市民政局';
		await database.sql`update candidate set lead_department = ${department}, targets = ${['目标甲 10 个', '目标乙 20 个']}, budget_yuan = ${1000 * (index + 1)},
		                   expected_completion = '2022-12-31', summary = ${`summary ${index}`} where id = ${candidateId}`;
	}
	if (options.year) await database.sql`update voting_session set year = ${options.year} where id = ${session.id}`;
	expect((await applyLifecycle(database.sql, session.id, 'open', staff.id)).ok).toBe(true);
	for (const delegate of session.delegates) {
		await castBallot(database.sql, {
			votingSessionId: session.id,
			delegateId: delegate.id,
			selection: { method: 'approval', candidateIds: session.candidateIds.slice(0, 2) }
		});
	}
	expect((await applyLifecycle(database.sql, session.id, 'close', staff.id)).ok).toBe(true);
	expect(
		(await confirmTally(database.sql, session.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id))).ok
	).toBe(true);
	return session;
}

async function publishedVote(options: { departments?: string[]; year?: number } = {}): Promise<TestSession> {
	const session = await countedVote(options);
	expect((await applyLifecycle(database.sql, session.id, 'publish', publisher.id)).ok).toBe(true);
	return session;
}

async function projectsOf(votingSessionId: number) {
	return database.sql<
		{
			id: number;
			candidateId: number;
			title: string;
			leadDepartment: string;
			targets: string[];
			budgetYuan: number;
			rank: number;
			votesFor: number;
			year: number;
		}[]
	>`
		select id, candidate_id as "candidateId", title, lead_department as "leadDepartment", targets, budget_yuan as "budgetYuan", rank,
		       votes_for as "votesFor", year
		from livelihood_project where voting_session_id = ${votingSessionId} order by rank, id`;
}

beforeAll(async () => {
	staff = await createUser(database.sql, ['staff'], 'staff');
	publisher = await createUser(database.sql, ['staff'], 'publisher');
	scrutineer = await createUser(database.sql, ['scrutineer'], 'scrutineer');
});

describe('carry-over from a published vote', () => {
	it('turns exactly the chosen candidates into projects, with frozen copies of their facts, at publication', async () => {
		const session = await countedVote({ year: 2023 });
		expect(await projectsOf(session.id)).toEqual([]); // closed and confirmed, not yet published: nothing
		expect((await applyLifecycle(database.sql, session.id, 'publish', publisher.id)).ok).toBe(true);
		const projects = await projectsOf(session.id);
		expect(projects.map((project) => project.candidateId).sort()).toEqual(session.candidateIds.slice(0, 2).sort());
		const [candidate] = await database.sql<
			{ title: string }[]
		>`select title from candidate where id = ${projects[0]!.candidateId}`;
		expect(projects[0]).toMatchObject({
			title: candidate!.title,
			leadDepartment: '市民政局',
			targets: ['目标甲 10 个', '目标乙 20 个'],
			rank: 1,
			votesFor: 3,
			year: 2023
		});
		// The record of what was chosen never changes: the app's role may not try, and the trigger
		// refuses even the owner.
		await expect(
			database.sql`update livelihood_project set title = 'rewritten' where id = ${projects[0]!.id}`
		).rejects.toThrow(/permission denied/);
		await expect(
			database.ownerSql`update livelihood_project set title = 'rewritten' where id = ${projects[0]!.id}`
		).rejects.toThrow(/never changed/);
		await expect(database.ownerSql`delete from livelihood_project where id = ${projects[0]!.id}`).rejects.toThrow(
			/never changed/
		);
	});

	it('carries nothing from a vote that is open or closed but unpublished, and nothing twice', async () => {
		const open = await createVotingSession(database.sql, { candidates: 3, seats: 1, delegates: 2 });
		expect(await projectsOf(open.id)).toEqual([]);
		const closed = await countedVote();
		expect(await projectsOf(closed.id)).toEqual([]);

		const published = await publishedVote();
		const before = await projectsOf(published.id);
		expect(before).toHaveLength(2);
		// Publishing again is refused (by the app and by the database), and the projects stay as they are.
		expect((await applyLifecycle(database.sql, published.id, 'publish', publisher.id)).ok).toBe(false);
		await expect(
			database.sql`update voting_session set status = 'published' where id = ${published.id}`
		).resolves.toBeDefined();
		expect(await projectsOf(published.id)).toEqual(before);
		// A candidate chosen again in a later vote stays one project, from the first vote.
		const again = await createVotingSession(database.sql, { candidates: 2, seats: 1, delegates: 2, open: false });
		await database.sql`insert into voting_session_candidate (voting_session_id, candidate_id, position) values (${again.id}, ${before[0]!.candidateId}, 9)`;
		expect((await applyLifecycle(database.sql, again.id, 'open', staff.id)).ok).toBe(true);
		for (const delegate of again.delegates) {
			await castBallot(database.sql, {
				votingSessionId: again.id,
				delegateId: delegate.id,
				selection: { method: 'approval', candidateIds: [before[0]!.candidateId] }
			});
		}
		expect((await applyLifecycle(database.sql, again.id, 'close', staff.id)).ok).toBe(true);
		expect(
			(await confirmTally(database.sql, again.id, scrutineer.id, await passwordSignIn(database.sql, scrutineer.id))).ok
		).toBe(true);
		expect((await applyLifecycle(database.sql, again.id, 'publish', publisher.id)).ok).toBe(true);
		const [count] = await database.sql<{ projects: number; fromFirst: number }[]>`
			select count(*)::int as projects, count(*) filter (where voting_session_id = ${published.id})::int as "fromFirst"
			from livelihood_project where candidate_id = ${before[0]!.candidateId}`;
		expect(count).toEqual({ projects: 1, fromFirst: 1 });
	});
});

describe('progress percentages and statuses, held by the database', () => {
	it('refuses a percentage outside 0–100, a wrong number of them, and "done" below 100%', async () => {
		const session = await publishedVote();
		const [project] = await projectsOf(session.id);
		const insert = (percentages: number[], status = 'on_track') => database.sql`
			insert into progress_update (project_id, reported_on, body, target_percentages, status, author_id)
			values (${project!.id}, '2022-05-01', 'text', ${percentages}::int[], ${status}, ${staff.id})`;
		await expect(insert([101, 50])).rejects.toThrow(/check constraint/);
		await expect(insert([-1, 50])).rejects.toThrow(/check constraint/);
		await expect(insert([50])).rejects.toThrow(/needs 2 percentages/);
		await expect(insert([50, 50, 50])).rejects.toThrow(/needs 2 percentages/);
		await expect(insert([100, 90], 'done')).rejects.toThrow(/check constraint/);
		await expect(insert([50, 50], 'finished')).rejects.toThrow(/check constraint/);
		await insert([100, 100], 'done');
		await insert([0, 100]);
		const updates = await listProgressUpdates(database.sql, project!.id);
		expect(updates.map((update) => [update.status, update.percentages])).toEqual([
			['on_track', [0, 100]],
			['done', [100, 100]]
		]);
		await expect(
			database.ownerSql`update progress_update set target_percentages = '{100,100}' where project_id = ${project!.id}`
		).rejects.toThrow(/never changed/);
	});
});

describe('the department role', () => {
	it('reaches only the projects its department leads', async () => {
		const session = await publishedVote({ departments: ['市民政局', '市教育局', '市民政局', '市教育局'] });
		const [own, other] = await projectsOf(session.id);
		expect(own!.leadDepartment).toBe('市民政局');
		expect(other!.leadDepartment).toBe('市教育局');
		const created = await createDepartmentAccount(
			database.sql,
			{ username: 'minzheng_test', displayName: '', departmentName: '市民政局' },
			staff.id
		);
		expect(created.ok).toBe(true);
		const department = { id: created.ok ? created.userId : 0, roles: ['department'] as const };
		expect(await projectAccess(database.sql, { ...department, roles: ['department'] }, own!.id)).toBe('department');
		expect(await projectAccess(database.sql, { ...department, roles: ['department'] }, other!.id)).toBeNull();
		// A department name alone (without the role) gives nothing; staff reach every project.
		expect(await projectAccess(database.sql, { id: department.id, roles: ['resident'] }, own!.id)).toBeNull();
		expect(await projectAccess(database.sql, { id: staff.id, roles: ['staff'] }, other!.id)).toBe('staff');

		const input = { reportedOn: '2022-06-01', body: '进展顺利', status: 'on_track' as const, percentages: [40, 60] };
		expect(
			await postProgressUpdate(database.sql, { id: department.id, roles: ['department'] }, other!.id, input, [])
		).toEqual({ ok: false, error: 'forbidden' });
		expect(await listProgressUpdates(database.sql, other!.id)).toEqual([]);
		const posted = await postProgressUpdate(
			database.sql,
			{ id: department.id, roles: ['department'] },
			own!.id,
			input,
			[]
		);
		expect(posted.ok).toBe(true);
		const [update] = await listProgressUpdates(database.sql, own!.id);
		expect(update).toMatchObject({ body: '进展顺利', percentages: [40, 60], percent: 50, byDepartment: true });
		expect((await getProject(database.sql, own!.id))?.latest?.status).toBe('on_track');
		expect(
			(await listProjects(database.sql, { department: '市民政局' })).every(
				(project) => project.leadDepartment === '市民政局'
			)
		).toBe(true);

		const [audit] = await database.sql<{ actor: number; details: { projectId: number; as: string } }[]>`
			select actor_user_id as actor, details from audit_entry where action = 'delivery.update_posted' order by seq desc limit 1`;
		expect(audit).toMatchObject({ actor: department.id, details: { projectId: own!.id, as: 'department' } });
	});
});

describe('inspection notes', () => {
	it('are written by group members only, and become public only when staff approve them', async () => {
		const session = await publishedVote();
		const [project] = await projectsOf(session.id);
		const [member, outsider] = session.delegates;
		expect((await addGroupMember(database.sql, project!.id, member!.username, staff.id)).ok).toBe(true);
		expect(await addGroupMember(database.sql, project!.id, member!.username, staff.id)).toEqual({
			ok: false,
			error: 'already_member'
		});
		expect(await addGroupMember(database.sql, project!.id, staff.username, staff.id)).toEqual({
			ok: false,
			error: 'delegate_unknown'
		});

		const note = { projectId: project!.id, visitedOn: '2022-07-01', body: '现场施工有序' };
		expect(await postInspectionNote(database.sql, outsider!.id, note)).toEqual({ ok: false, error: 'not_member' });
		await expect(
			database.sql`insert into inspection_note (project_id, author_id, visited_on, body) values (${project!.id}, ${outsider!.id}, '2022-07-01', 'x')`
		).rejects.toThrow(/not in the monitoring group/);
		const posted = await postInspectionNote(database.sql, member!.id, note);
		expect(posted.ok).toBe(true);
		const noteId = posted.ok ? posted.noteId : 0;

		expect(await listInspectionNotes(database.sql, project!.id, 'public')).toEqual([]);
		expect((await listInspectionNotes(database.sql, project!.id, 'all')).map((entry) => entry.status)).toEqual([
			'pending'
		]);
		// Only staff review, once; the text never changes.
		await expect(
			database.sql`update inspection_note set status = 'approved', reviewed_by = ${member!.id}, reviewed_at = now() where id = ${noteId}`
		).rejects.toThrow(/reviewed by staff/);
		await expect(database.sql`update inspection_note set body = 'edited' where id = ${noteId}`).rejects.toThrow(
			/never changes/
		);
		expect((await reviewInspectionNote(database.sql, project!.id, noteId, 'approved', staff.id)).ok).toBe(true);
		expect(await reviewInspectionNote(database.sql, project!.id, noteId, 'rejected', staff.id)).toEqual({
			ok: false,
			error: 'already_reviewed'
		});
		expect((await listInspectionNotes(database.sql, project!.id, 'public')).map((entry) => entry.body)).toEqual([
			'现场施工有序'
		]);

		// A rejected note stays private.
		const second = await postInspectionNote(database.sql, member!.id, { ...note, body: '不公开的记录' });
		expect(
			(await reviewInspectionNote(database.sql, project!.id, second.ok ? second.noteId : 0, 'rejected', staff.id)).ok
		).toBe(true);
		expect((await listInspectionNotes(database.sql, project!.id, 'public')).map((entry) => entry.body)).toEqual([
			'现场施工有序'
		]);
		const actions = await database.sql<
			{ action: string }[]
		>`select action from audit_entry where action like 'delivery.%' and details->>'projectId' = ${String(project!.id)} order by seq`;
		expect(actions.map((entry) => entry.action)).toEqual([
			'delivery.member_added',
			'delivery.note_posted',
			'delivery.note_reviewed',
			'delivery.note_posted',
			'delivery.note_reviewed'
		]);
	});
});

// ---------------------------------------------------------------- photos
const text = (value: string) => Buffer.from(value, 'latin1');
const GPS = 'GPSLatitude 28.6558N 121.4208E';
const XMP = 'http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Camera owner</x:xmpmeta>';

function jpegSegment(marker: number, payload: Buffer): Buffer {
	const header = Buffer.from([0xff, marker, 0, 0]);
	header.writeUInt16BE(payload.length + 2, 2);
	return Buffer.concat([header, payload]);
}

/** A small JPEG structure (not decodable pixels) with EXIF, XMP and a comment. */
function jpegWithMetadata(width = 64, height = 48): Buffer {
	const sof = Buffer.from([8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
	sof.writeUInt16BE(height, 1);
	sof.writeUInt16BE(width, 3);
	return Buffer.concat([
		Buffer.from([0xff, 0xd8]),
		jpegSegment(0xe0, Buffer.concat([text('JFIF\0'), Buffer.from([1, 1, 0, 0, 1, 0, 1, 0, 0])])),
		jpegSegment(0xe1, Buffer.concat([text('Exif\0\0'), text(GPS)])),
		jpegSegment(0xe1, text(XMP)),
		jpegSegment(0xfe, text('shot by a phone')),
		jpegSegment(0xdb, Buffer.alloc(65, 1)),
		jpegSegment(0xc0, sof),
		jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
		Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]),
		Buffer.from([0xff, 0xd9]),
		text('trailing bytes after the end')
	]);
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([text(type), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A real, decodable RGB PNG of width × height, with text and EXIF chunks. */
export function pngWithMetadata(width = 4, height = 3): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const rows = Buffer.concat(
		Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)]))
	);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('tEXt', text(`Author\0${GPS}`)),
		pngChunk('eXIf', Buffer.concat([text('MM\0*'), text(GPS)])),
		pngChunk('IDAT', deflateSync(rows)),
		pngChunk('iTXt', text(`XML:com.adobe.xmp\0\0\0\0\0${GPS}`)),
		pngChunk('IEND', Buffer.alloc(0))
	]);
}

function webpChunk(type: string, data: Buffer): Buffer {
	const header = Buffer.concat([text(type), Buffer.alloc(4)]);
	header.writeUInt32LE(data.length, 4);
	return Buffer.concat([header, data, data.length % 2 ? Buffer.from([0]) : Buffer.alloc(0)]);
}

function webpWithMetadata(): Buffer {
	const vp8x = Buffer.alloc(10);
	vp8x[0] = 0x08 | 0x04; // EXIF and XMP present
	vp8x.writeUIntLE(99, 4, 3); // width 100
	vp8x.writeUIntLE(49, 7, 3); // height 50
	const vp8l = Buffer.alloc(9);
	vp8l[0] = 0x2f;
	vp8l.writeUInt32LE(99 | (49 << 14), 1);
	const chunks = Buffer.concat([
		webpChunk('VP8X', vp8x),
		webpChunk('VP8L', vp8l),
		webpChunk('EXIF', text(GPS)),
		webpChunk('XMP ', text(`<x>${GPS}</x>`))
	]);
	const header = Buffer.concat([text('RIFF'), Buffer.alloc(4), text('WEBP')]);
	header.writeUInt32LE(chunks.length + 4, 4);
	return Buffer.concat([header, chunks]);
}

describe('photos', () => {
	it('refuses what is not a JPEG, PNG or WebP image, whatever its name, and broken images', () => {
		expect(cleanImage(text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toEqual({
			ok: false,
			error: 'not_image'
		});
		expect(cleanImage(text('GIF89a....'))).toEqual({ ok: false, error: 'not_image' });
		expect(cleanImage(new Uint8Array(0))).toEqual({ ok: false, error: 'not_image' });
		expect(cleanImage(jpegWithMetadata().subarray(0, 60))).toEqual({ ok: false, error: 'corrupt' });
		const badCrc = pngWithMetadata();
		badCrc[40] = (badCrc[40] as number) ^ 0xff;
		expect(cleanImage(badCrc)).toEqual({ ok: false, error: 'corrupt' });
	});

	it('refuses a file over 5 MB and an image over 8000 pixels a side', () => {
		const oversized = Buffer.concat([pngWithMetadata(), Buffer.alloc(5 * 1024 * 1024)]);
		expect(cleanImage(oversized)).toEqual({ ok: false, error: 'too_large' });
		expect(cleanImage(jpegWithMetadata(8001, 10))).toEqual({ ok: false, error: 'too_big_dimensions' });
		expect(cleanImage(pngWithMetadata(1, 8001))).toEqual({ ok: false, error: 'too_big_dimensions' });
		expect(cleanImage(jpegWithMetadata(8000, 8000)).ok).toBe(true);
	});

	it('stores JPEG, PNG and WebP photos without their metadata, with type, size and digest', async () => {
		const session = await publishedVote();
		const [project] = await projectsOf(session.id);
		const uploads = [jpegWithMetadata(), pngWithMetadata(), webpWithMetadata()];
		const cleaned = uploads.map((upload) => cleanImage(upload));
		const photos = cleaned.map((checked) => {
			if (!checked.ok) throw new Error(`refused: ${checked.error}`);
			return checked.image;
		});
		expect(photos.map((photo) => [photo.mediaType, photo.width, photo.height])).toEqual([
			['image/jpeg', 64, 48],
			['image/png', 4, 3],
			['image/webp', 100, 50]
		]);
		const posted = await postProgressUpdate(
			database.sql,
			{ id: staff.id, roles: ['staff'] },
			project!.id,
			{ reportedOn: '2022-08-01', body: '现场照片', status: 'on_track', percentages: [50, 50] },
			photos
		);
		expect(posted.ok).toBe(true);
		const stored = await database.sql<{ id: number; mediaType: string; content: Buffer; sha256: Buffer }[]>`
			select ph.id, ph.media_type as "mediaType", ph.content, ph.sha256 from progress_photo ph
			join progress_update u on u.id = ph.progress_update_id where u.project_id = ${project!.id} order by ph.position`;
		expect(stored.map((photo) => photo.mediaType)).toEqual(['image/jpeg', 'image/png', 'image/webp']);
		for (const photo of stored) {
			const bytes = photo.content.toString('latin1');
			expect(bytes).not.toContain('GPSLatitude');
			expect(bytes).not.toContain('Exif');
			expect(bytes).not.toContain('xmp');
			expect(photo.sha256.equals(createHash('sha256').update(photo.content).digest())).toBe(true);
			expect((await getPhoto(database.sql, photo.id))?.content.equals(photo.content)).toBe(true);
		}
		const [jpeg, png, webp] = [stored[0]!, stored[1]!, stored[2]!];
		// JPEG: JFIF, the tables, the frame and the scan stay; EXIF, XMP, the comment and trailing bytes go.
		expect(jpeg.content.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
		expect(jpeg.content.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
		expect(jpeg.content.toString('latin1')).toContain('JFIF');
		expect(jpeg.content.toString('latin1')).not.toContain('shot by a phone');
		expect(jpeg.content.length).toBe(
			uploads[0]!.length - (4 + 6 + GPS.length) - (4 + XMP.length) - (4 + 15) - 'trailing bytes after the end'.length
		);
		// PNG: still a valid PNG (the chunks kept are whole), minus the text and EXIF chunks.
		for (const type of ['tEXt', 'eXIf', 'iTXt']) expect(png.content.toString('latin1')).not.toContain(type);
		expect(['IHDR', 'IDAT', 'IEND'].every((type) => png.content.toString('latin1').includes(type))).toBe(true);
		expect(cleanImage(png.content).ok).toBe(true);
		// WebP: EXIF and XMP chunks gone, their flags cleared, the RIFF size right.
		expect(webp.content.toString('latin1')).not.toContain('EXIF');
		expect((webp.content[20] as number) & 0x0c).toBe(0);
		expect(webp.content.readUInt32LE(4)).toBe(webp.content.length - 8);
		// The database holds the limits too: a digest that is not the content's is refused.
		await expect(database.sql`
			insert into progress_photo (progress_update_id, position, media_type, width, height, content, sha256)
			select progress_update_id, 9, 'image/png', 1, 1, '\\x00'::bytea, sha256('\\x01'::bytea) from progress_photo where id = ${png.id}`).rejects.toThrow(
			/check constraint/
		);
		await expect(database.sql`
			insert into progress_photo (progress_update_id, position, media_type, width, height, content, sha256)
			select progress_update_id, 8, 'image/svg+xml', 1, 1, '\\x00'::bytea, sha256('\\x00'::bytea) from progress_photo where id = ${png.id}`).rejects.toThrow(
			/check constraint/
		);
	});
});

describe('demo data', () => {
	it('shows a newcomer a past year with projects, progress, a department account and a monitoring group', async () => {
		const demo = await createTestDatabase();
		try {
			const credentials = await seedDemo(demo.sql);
			expect(credentials.delivery.department.username).toBe('minzheng');
			const projects = await listProjects(demo.sql, { year: credentials.delivery.year });
			expect(projects.length).toBe(4);
			expect(projects.every((project) => project.isDemo)).toBe(true);
			expect(projects.filter((project) => project.latest !== null).length).toBeGreaterThanOrEqual(3);
			const notes = await listInspectionNotes(demo.sql, projects[0]!.id, 'all');
			expect(notes.map((note) => note.status).sort()).toEqual(['approved', 'pending']);
			const [account] = await demo.sql<{ department: string }[]>`
				select d.department_name as department from department_account d join app_user u on u.id = d.user_id where u.username = 'minzheng'`;
			expect(account?.department).toBe(credentials.delivery.department.departmentName);
			// The demo's own vote of the current year stays open; the past year's vote is published and its
			// projects are being evaluated at the current session.
			const sessions = await demo.sql<{ year: number; status: string; method: string }[]>`
				select year, status, ballot_method as method from voting_session order by year, id`;
			expect(sessions).toEqual([
				{ year: 2021, status: 'published', method: 'approval' },
				{ year: 2021, status: 'open', method: 'evaluation' },
				{ year: 2022, status: 'open', method: 'approval' }
			]);
		} finally {
			await demo.drop();
		}
	});
});
