// Categories and candidates as the pages show them. Pure types.

export interface Candidate {
	id: number;
	categoryId: number;
	categoryName: string;
	title: string;
	summary: string;
	targets: string[];
	leadDepartment: string;
	budgetYuan: number | null;
	expectedCompletion: string | null;
	isDemo: boolean;
	/** The year whose candidate list it belongs to. */
	year: number;
}

export interface CategoryWithCandidates {
	id: number;
	name: string;
	position: number;
	isDemo: boolean;
	candidates: Candidate[];
}
