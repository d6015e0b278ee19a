// Progress and note statuses in words (the colour of a badge only supports the word).
import type { NoteStatus, ProgressStatus } from '$lib/domain/delivery';
import { m } from '$lib/paraglide/messages';

const progressLabels: Record<ProgressStatus, () => string> = {
	on_track: m.delivery_status_on_track,
	at_risk: m.delivery_status_at_risk,
	delayed: m.delivery_status_delayed,
	done: m.delivery_status_done
};

export function progressStatusLabel(status: ProgressStatus | null | undefined): string {
	return status ? progressLabels[status]() : m.delivery_status_none();
}

const noteLabels: Record<NoteStatus, () => string> = {
	pending: m.delivery_note_pending,
	approved: m.delivery_note_approved,
	rejected: m.delivery_note_rejected
};

export function noteStatusLabel(status: NoteStatus): string {
	return noteLabels[status]();
}
