// The printable credential sheet: per delegate the sign-in link with the code filled in, and the
// same link as a QR code rendered on the server as SVG.
import QRCode from 'qrcode';
import type { IssuedCredential } from './access-codes';

export interface CredentialSheet extends IssuedCredential {
	/** `<origin>/login/code?code=<CODE>`: what the QR code holds. */
	signInLink: string;
	/** The QR code as an SVG document (made here from our own data, safe to inline). */
	qrSvg: string;
}

export function signInLink(origin: string, code: string): string {
	return `${origin}/login/code?code=${encodeURIComponent(code.replace(/-/g, ''))}`;
}

export async function credentialSheets(origin: string, credentials: IssuedCredential[]): Promise<CredentialSheet[]> {
	return Promise.all(
		credentials.map(async (credential) => {
			const link = signInLink(origin, credential.code);
			const qrSvg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
			return { ...credential, signInLink: link, qrSvg };
		})
	);
}
