// The QR code printed on a credential sheet, made by the app's own generator, is read back by the
// decoder the check-in page uses (jsQR), and names the delegate's code.
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { codeFromScan } from '../../src/lib/server/attendance/check-in';
import { credentialSheets } from '../../src/lib/server/electorate/credential-sheet';
import { normalizeAccessCode } from '../../src/lib/server/electorate/access-codes';
import { rasterizeQrSvg, toRgba } from '../helpers/qr-image';

describe('the credential sheet QR code', () => {
	it('decodes to the sign-in link, whose code checks the delegate in', async () => {
		const [sheet] = await credentialSheets('https://piaojue.example.gov.cn', [
			{
				delegateId: 7,
				username: 'delegate007',
				displayName: '示例代表007',
				delegation: '椒江区代表团',
				delegateNumber: 'J007',
				code: 'ABCD-EFGH-JKMN-PQRS'
			}
		]);
		const image = rasterizeQrSvg(sheet!.qrSvg, 6);
		const decoded = jsQR(toRgba(image), image.width, image.height);
		expect(decoded?.data).toBe('https://piaojue.example.gov.cn/login/code?code=ABCDEFGHJKMNPQRS');
		expect(normalizeAccessCode(codeFromScan(decoded!.data))).toBe('ABCDEFGHJKMNPQRS');
	});

	it('reads a typed code as it is and a link by its code; anything else as no code', () => {
		expect(codeFromScan(' abcd-efgh-jkmn-pqrs ')).toBe('abcd-efgh-jkmn-pqrs');
		expect(codeFromScan('http://hall.local/login/code?code=ABCDEFGHJKMNPQRS')).toBe('ABCDEFGHJKMNPQRS');
		expect(codeFromScan('https://example.com/')).toBe('');
		expect(normalizeAccessCode(codeFromScan('https://example.com/'))).toBeNull();
	});
});
