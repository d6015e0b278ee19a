// How long to wait, in words of the user's language ("45 秒", "2 minutes"), for rate-limit messages.
import { m } from '$lib/paraglide/messages';

export function waitText(seconds: number): string {
	const whole = Math.max(1, Math.ceil(seconds));
	return whole < 60
		? m.security_wait_seconds({ count: whole })
		: m.security_wait_minutes({ count: Math.ceil(whole / 60) });
}
