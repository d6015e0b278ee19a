// Demo data for the satisfaction evaluation: the demo past year's projects, evaluated at the
// demo session (as in practice, at the next year's congress), open for the demo delegates.
import type { Sql } from '../db/client';
import { EVALUATION_METHOD } from '$lib/domain/types';
import { applyLifecycleInTransaction, enrollDelegates, insertVotingSession } from '../voting/sessions';
import { readEvaluationForm } from './evaluations';

export async function seedEvaluationDemo(
	sql: Sql,
	options: { year: number; title: string; staffUsername: string }
): Promise<number> {
	const read = await readEvaluationForm(sql, {
		title: options.title,
		year: String(options.year),
		allowAbstain: '',
		opensAt: '',
		closesAt: ''
	});
	if (!read.ok)
		throw new Error(`the ${options.year} demo evaluation cannot be created: ${JSON.stringify(read.errors)}`);
	return (await sql.begin(async (tx) => {
		const [staff] = await tx<
			{ id: number }[]
		>`select id from app_user where lower(username) = lower(${options.staffUsername})`;
		if (!staff) throw new Error(`the demo user ${options.staffUsername} is missing`);
		const id = await insertVotingSession(tx, { ...read.session, isDemo: true }, staff.id);
		// Every demo delegate of the current session evaluates.
		const delegates = await tx<
			{ id: number }[]
		>`select user_id as id from user_role where role = 'delegate' order by user_id`;
		await enrollDelegates(
			tx,
			id,
			delegates.map((delegate) => delegate.id),
			staff.id
		);
		// Those checked in at the congress (the open demo vote) are present for the evaluation too.
		await tx`
			update electorate_member set present = true
			where voting_session_id = ${id} and delegate_id in (
				select e.delegate_id from electorate_member e join voting_session s on s.id = e.voting_session_id
				where e.present and s.is_demo and s.status = 'open' and s.ballot_method <> ${EVALUATION_METHOD})`;
		const opened = await applyLifecycleInTransaction(tx, id, 'open', staff.id);
		if (!opened.ok) throw new Error(`could not open the demo evaluation: ${opened.error}`);
		return id;
	})) as number;
}
