// Sending verification codes by SMS, through a sender chosen by SMS_PROVIDER:
// - `console` (the default): writes `SMS code NNNNNN to 138****1234` to the server log, for
//   development and the demo (the number masked, as everywhere in logs);
// - `http`: POSTs a signed JSON message to SMS_HTTP_URL, the shape an adapter to a real SMS
//   gateway (a provider's API, a government message platform) receives:
//     { "id": "<random>", "to": "13812341234", "code": "123456", "text": "…", "expiresInSeconds": 300, "sentAt": "<ISO time>" }
//   with the headers X-Piaojue-Timestamp (Unix seconds) and X-Piaojue-Signature
//   (`sha256=` + hex HMAC-SHA-256 of `<timestamp>.<body>` under SMS_HTTP_SECRET). The adapter checks
//   the signature and the time (refusing old messages) before sending. Any 2xx answer means sent.
import { log as serverLog } from '../observability/log';
import { createHmac, randomBytes } from 'node:crypto';
import { maskMobile, SMS_CODE_TTL_SECONDS } from '$lib/domain/verification';
import { m } from '$lib/paraglide/messages';

export interface SmsMessage {
	to: string;
	code: string;
}

export interface SmsSender {
	readonly name: 'console' | 'http';
	send(message: SmsMessage): Promise<void>;
}

export class SmsNotSentError extends Error {}

export function consoleSmsSender(log: (line: string) => void = (line) => serverLog.info(line)): SmsSender {
	return {
		name: 'console',
		async send({ to, code }) {
			log(`SMS code ${code} to ${maskMobile(to)}`);
		}
	};
}

/** The signature an adapter checks: `sha256=` + HMAC-SHA-256 of `<timestamp>.<body>`. */
export function signSmsBody(secret: string, timestamp: string, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function httpSmsSender(url: string, secret: string, timeoutMs = 10_000): SmsSender {
	return {
		name: 'http',
		async send({ to, code }) {
			const body = JSON.stringify({
				id: randomBytes(12).toString('hex'),
				to,
				code,
				text: m.verification_sms_text({ code, minutes: String(SMS_CODE_TTL_SECONDS / 60) }, { locale: 'zh-CN' }),
				expiresInSeconds: SMS_CODE_TTL_SECONDS,
				sentAt: new Date().toISOString()
			});
			const timestamp = String(Math.floor(Date.now() / 1000));
			let response: Response;
			try {
				response = await fetch(url, {
					method: 'POST',
					body,
					headers: {
						'content-type': 'application/json',
						'x-piaojue-timestamp': timestamp,
						'x-piaojue-signature': signSmsBody(secret, timestamp, body)
					},
					signal: AbortSignal.timeout(timeoutMs),
					redirect: 'error'
				});
			} catch (cause) {
				throw new SmsNotSentError(`the SMS gateway at ${url} did not answer: ${(cause as Error).message}`);
			}
			if (!response.ok) {
				throw new SmsNotSentError(`the SMS gateway at ${url} answered ${response.status}`);
			}
		}
	};
}

/** The sender the environment configures; throws on an incomplete configuration (at first use). */
export function smsSenderFromEnvironment(env: NodeJS.ProcessEnv = process.env): SmsSender {
	const provider = (env.SMS_PROVIDER ?? 'console').trim() || 'console';
	if (provider === 'console') return consoleSmsSender();
	if (provider === 'http') {
		const url = env.SMS_HTTP_URL?.trim();
		const secret = env.SMS_HTTP_SECRET ?? '';
		if (!url || !/^https?:\/\//.test(url)) throw new Error('SMS_PROVIDER=http needs SMS_HTTP_URL (an http(s) URL)');
		if (secret.length < 16) throw new Error('SMS_PROVIDER=http needs SMS_HTTP_SECRET (at least 16 characters)');
		return httpSmsSender(url, secret);
	}
	throw new Error(`SMS_PROVIDER must be console or http, not ${provider}`);
}

let configured: SmsSender | null = null;
export function smsSender(): SmsSender {
	configured ??= smsSenderFromEnvironment();
	return configured;
}
