// Collection campaigns (征集): staff open one for a year, with opening and closing times and the
// criteria shown to residents. Proposals are written only while a campaign is open (the
// database's proposal_guard holds that too).
import type { CampaignForm } from '$lib/domain/residents-schemas';
import type { Sql, TransactionSql } from '../db/client';
import { appendAudit } from '../audit/audit';

export interface Campaign {
	id: number;
	year: number;
	title: string;
	opensAt: Date;
	closesAt: Date;
	criteria: string;
	/** Proposals submitted so far (drafts not counted). */
	proposalCount: number;
}

const campaignColumns = (sql: Sql | TransactionSql) => sql`
	c.id, c.year, c.title, c.opens_at as "opensAt", c.closes_at as "closesAt", c.criteria,
	(select count(*) from proposal p where p.campaign_id = c.id and p.status <> 'draft')::int as "proposalCount"`;

export async function listCampaigns(sql: Sql): Promise<Campaign[]> {
	return sql<Campaign[]>`select ${campaignColumns(sql)} from proposal_campaign c order by c.opens_at desc, c.id desc`;
}

export async function getCampaign(sql: Sql | TransactionSql, id: number): Promise<Campaign | null> {
	const [campaign] = await sql<Campaign[]>`select ${campaignColumns(sql)} from proposal_campaign c where c.id = ${id}`;
	return campaign ?? null;
}

/** Campaigns taking proposals now, the one closing first first. */
export async function listOpenCampaigns(sql: Sql): Promise<Campaign[]> {
	return sql<Campaign[]>`
		select ${campaignColumns(sql)} from proposal_campaign c
		where now() >= c.opens_at and now() < c.closes_at order by c.closes_at, c.id`;
}

function auditDetails(input: CampaignForm) {
	return {
		title: input.title,
		year: input.year,
		opensAt: input.opensAt.toISOString(),
		closesAt: input.closesAt.toISOString()
	};
}

export async function createCampaign(sql: Sql, input: CampaignForm, actorUserId: number): Promise<number> {
	return (await sql.begin(async (tx) => {
		const [row] = await tx<{ id: number }[]>`
			insert into proposal_campaign (year, title, opens_at, closes_at, criteria, created_by)
			values (${input.year}, ${input.title}, ${input.opensAt}, ${input.closesAt}, ${input.criteria}, ${actorUserId})
			returning id`;
		const id = (row as { id: number }).id;
		await appendAudit(tx, {
			actorUserId,
			action: 'campaign.created',
			details: { campaignId: id, ...auditDetails(input) }
		});
		return id;
	})) as number;
}

export async function updateCampaign(sql: Sql, id: number, input: CampaignForm, actorUserId: number): Promise<boolean> {
	return (await sql.begin(async (tx) => {
		const result = await tx`
			update proposal_campaign set year = ${input.year}, title = ${input.title}, opens_at = ${input.opensAt},
			       closes_at = ${input.closesAt}, criteria = ${input.criteria}
			where id = ${id}`;
		if (result.count === 0) return false;
		await appendAudit(tx, {
			actorUserId,
			action: 'campaign.updated',
			details: { campaignId: id, ...auditDetails(input) }
		});
		return true;
	})) as boolean;
}
