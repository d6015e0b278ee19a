// Looking up a Paraglide message by a key that comes from data (zod issues, domain codes).
import { m } from '$lib/paraglide/messages';

type MessageFunction = (inputs?: Record<string, unknown>) => string;

export function messageByKey(key: string, inputs: Record<string, unknown> = {}): string {
	const message = (m as unknown as Record<string, MessageFunction | undefined>)[key];
	return message ? message(inputs) : m.error_unexpected();
}
