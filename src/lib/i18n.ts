// Looking up a Paraglide message by a key that comes from data (zod issues, domain codes).
import { m } from '$lib/paraglide/messages';

type MessageFunction = (inputs?: Record<string, unknown>) => string;

/** The name of a Paraglide message: a key typed so is checked by the compiler, never looked up blind. */
export type MessageKey = keyof typeof m;

/** A message to show later (through a form action's data): its key and inputs. */
export interface MessageRef {
	key: MessageKey;
	inputs: Record<string, string | number>;
}

/** The message of a typed key: a key without a message does not compile, so nothing falls back. */
export function messageOf(key: MessageKey, inputs: Record<string, unknown> = {}): string {
	return (m[key] as MessageFunction)(inputs);
}

/**
 * The message of a key that arrives as a string (a zod issue's message, a form's data): every such
 * key written in src/ is checked to exist by tests/unit/message-keys.test.ts, so the fallback is
 * for data from elsewhere, never for a typo. Prefer `messageOf` where the key is typed.
 */
export function messageByKey(key: string, inputs: Record<string, unknown> = {}): string {
	const message = (m as unknown as Record<string, MessageFunction | undefined>)[key];
	return message ? message(inputs) : m.error_unexpected();
}
