// What staff and the lead department work with on a project's page: its updates, its inspection
// notes and its monitoring group. Staff review every note (pending and rejected ones too); the lead
// department sees only the approved notes, as the public does. Who may see the page is the route's check.
import type { Sql } from '../db/client';
import { listGroupMembers, listInspectionNotes } from './monitoring';
import { listProgressUpdates } from './updates';

export async function projectWorkspace(sql: Sql, projectId: number, viewer: 'staff' | 'department') {
	const [updates, notes, members] = await Promise.all([
		listProgressUpdates(sql, projectId),
		listInspectionNotes(sql, projectId, viewer === 'staff' ? 'all' : 'public'),
		listGroupMembers(sql, projectId)
	]);
	return { updates, notes, members };
}
