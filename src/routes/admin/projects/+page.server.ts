import { fail } from '@sveltejs/kit';
import { departmentAccountSchema, parseYear } from '$lib/domain/delivery';
import { requireRole } from '$lib/server/auth/guard';
import { formText, translatedFieldErrors } from '$lib/server/catalog/forms';
import { db } from '$lib/server/db';
import { createDepartmentAccount, listDepartmentAccounts, listLeadDepartments } from '$lib/server/delivery/departments';
import { listProjects, listProjectYears } from '$lib/server/delivery/projects';
import { readFormBody } from '$lib/server/form-body';
import { m } from '$lib/paraglide/messages';
import type { Actions, PageServerLoad } from './$types';

const DEPARTMENT_FIELDS = ['username', 'displayName', 'departmentName'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireRole(locals, url, 'staff');
	const years = await listProjectYears(db());
	const year = parseYear(url.searchParams.get('year')) ?? years[0] ?? null;
	const [projects, departments, leadDepartments] = await Promise.all([
		year === null ? [] : listProjects(db(), { year }),
		listDepartmentAccounts(db()),
		listLeadDepartments(db())
	]);
	return { years, year, projects, departments, leadDepartments };
};

export const actions: Actions = {
	createDepartment: async ({ locals, url, request }) => {
		const staff = requireRole(locals, url, 'staff');
		const values = formText(await readFormBody(request), DEPARTMENT_FIELDS);
		const parsed = departmentAccountSchema.safeParse(values);
		if (!parsed.success) return fail(400, { department: { values, errors: translatedFieldErrors(parsed.error) } });
		const created = await createDepartmentAccount(db(), parsed.data, staff.id);
		if (!created.ok)
			return fail(400, { department: { values, errors: { username: m.delivery_error_username_taken() } } });
		return {
			createdDepartment: {
				username: parsed.data.username,
				departmentName: parsed.data.departmentName,
				password: created.password
			}
		};
	}
};
