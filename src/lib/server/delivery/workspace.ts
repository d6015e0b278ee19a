// What staff and the lead department work with on a project's page: its updates, every inspection
// note (pending ones too) and its monitoring group. Who may see it is the route's check.
import type { Sql } from '../db/client';
import { listGroupMembers, listInspectionNotes } from './monitoring';
import { listProgressUpdates } from './updates';

export async function projectWorkspace(sql: Sql, projectId: number) {
	const [updates, notes, members] = await Promise.all([
		listProgressUpdates(sql, projectId),
		listInspectionNotes(sql, projectId, 'all'),
		listGroupMembers(sql, projectId)
	]);
	return { updates, notes, members };
}
