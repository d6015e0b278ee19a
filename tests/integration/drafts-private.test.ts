// Drafts are staff's (issue 12, "smaller"): /api/sessions listed draft sessions and their rules to
// anyone, and the home page led with a draft. Until a session opens, only staff see it there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, Visitor, type RunningApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/suite';
import { createUser, createVotingSession, TEST_PASSWORD } from '../helpers/factory';

const database = useTestDatabase();
let app: RunningApp;
beforeAll(async () => {
	app = await startApp(database.url);
});
afterAll(async () => {
	await app?.stop();
});

describe('draft sessions', () => {
	it('are listed, shown and described to staff only', async () => {
		const draft = await createVotingSession(database.sql, { open: false });
		const open = await createVotingSession(database.sql);
		const [titles] = await database.sql<{ draft: string; open: string }[]>`
			select (select title from voting_session where id = ${draft.id}) as draft, (select title from voting_session where id = ${open.id}) as open`;
		const anonymous = new Visitor(app.baseUrl);
		const list = (await (await anonymous.get('/api/sessions')).json()) as { id: number }[];
		expect(list.map((session) => session.id)).toContain(open.id);
		expect(list.map((session) => session.id)).not.toContain(draft.id);
		expect((await anonymous.get(`/api/sessions/${draft.id}`)).status).toBe(404);
		expect((await anonymous.get(`/api/sessions/${open.id}`)).status).toBe(200);
		const home = await (await anonymous.get('/')).text();
		expect(home).toContain(titles!.open);
		expect(home).not.toContain(titles!.draft);

		const resident = await createUser(database.sql, ['resident', 'delegate'], 'resident');
		const residentVisitor = new Visitor(app.baseUrl);
		expect((await residentVisitor.signIn(resident.username, TEST_PASSWORD)).status).toBe(303);
		expect((await residentVisitor.get(`/api/sessions/${draft.id}`)).status).toBe(404);

		const staff = await createUser(database.sql, ['staff'], 'staff');
		const staffVisitor = new Visitor(app.baseUrl);
		expect((await staffVisitor.signIn(staff.username, TEST_PASSWORD)).status).toBe(303);
		const staffList = (await (await staffVisitor.get('/api/sessions')).json()) as { id: number }[];
		expect(staffList.map((session) => session.id)).toContain(draft.id);
		const detail = (await (await staffVisitor.get(`/api/sessions/${draft.id}`)).json()) as { status: string };
		expect(detail.status).toBe('draft');
		expect(await (await staffVisitor.get('/')).text()).toContain(titles!.draft);
	});
});
