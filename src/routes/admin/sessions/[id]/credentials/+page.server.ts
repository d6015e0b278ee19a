import { error, fail } from '@sveltejs/kit';
import { fieldErrors, idSchema } from '$lib/domain/schemas';
import { m } from '$lib/paraglide/messages';
import { requireRole } from '$lib/server/auth/guard';
import { db } from '$lib/server/db';
import { issueAccessCodes, listCodeStatus, type IssueResult } from '$lib/server/electorate/access-codes';
import { credentialSheets } from '$lib/server/electorate/credential-sheet';
import { listElectorate } from '$lib/server/electorate/electorate';
import { issueFormSchema, listQuery } from '$lib/server/electorate/schemas';
import { getVotingSession } from '$lib/server/voting/sessions';
import { readFormBody } from '$lib/server/form-body';
import type { Actions, PageServerLoad } from './$types';

function sessionId(params: { id: string }): number {
	const id = idSchema.safeParse(params.id);
	if (!id.success) error(404, m.error_session_not_found());
	return id.data;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireRole(locals, url, 'staff');
	const votingSession = await getVotingSession(db(), sessionId(params));
	if (!votingSession) error(404, m.error_session_not_found());
	const query = listQuery(url);
	const codes = await listCodeStatus(db(), votingSession.id);
	const codeByDelegate = new Map(codes.map((code) => [code.delegateId, code]));
	const electorate = await listElectorate(db(), votingSession.id, { query: query.q, page: query.page });
	return {
		votingSession: { id: votingSession.id, title: votingSession.title, status: votingSession.status },
		query,
		electorate: {
			...electorate,
			members: electorate.members.map((member) => ({
				...member,
				issuedAt: codeByDelegate.get(member.delegateId)?.issuedAt ?? null,
				usedAt: codeByDelegate.get(member.delegateId)?.usedAt ?? null
			}))
		},
		codeCounts: {
			issued: codes.filter((code) => code.issuedAt !== null).length,
			unused: codes.filter((code) => code.issuedAt !== null && code.usedAt === null).length
		}
	};
};

const issueErrors: Record<Exclude<IssueResult, { ok: true }>['error'], string> = {
	not_found: 'error_session_not_found',
	wrong_status: 'electorate_codes_closed',
	not_enrolled: 'electorate_not_enrolled',
	none_to_issue: 'electorate_codes_none',
	privileged: 'trust_code_privileged',
	reason_required: 'trust_reason_required'
};

export const actions: Actions = {
	issue: async ({ locals, url, params, request, setHeaders }) => {
		const staff = requireRole(locals, url, 'staff');
		const parsed = issueFormSchema.safeParse(Object.fromEntries(await readFormBody(request)));
		if (!parsed.success)
			return fail(400, { issue: { error: Object.values(fieldErrors(parsed.error))[0] ?? 'error_unexpected' } });
		const result = await issueAccessCodes(db(), {
			votingSessionId: sessionId(params),
			delegateId: parsed.data.scope === 'one' ? parsed.data.delegateId : null,
			actorUserId: staff.id,
			reason: parsed.data.reason ?? null
		});
		if (!result.ok)
			return fail(result.error === 'not_found' ? 404 : 409, { issue: { error: issueErrors[result.error] } });
		// The codes exist only in this response: never cached, never stored.
		setHeaders({ 'cache-control': 'no-store' });
		return {
			issue: {
				votingSessionTitle: result.votingSessionTitle,
				sheets: await credentialSheets(url.origin, result.credentials),
				skipped: result.skipped.map((delegate) => delegate.displayName),
				endedSessions: result.endedSessions
			}
		};
	}
};
