// The QR code of a credential sheet as pixels, for decoding it in a test (a unit test with jsQR, and
// Chromium's fake camera in a browser test). The sheet's SVG comes from the app's own generator
// (src/lib/server/electorate/credential-sheet.ts, the qrcode package); this draws that SVG's
// path exactly: the background rectangle, then one-module-high strokes ("M x y.5 h n", "m dx dy").
import { writeFileSync } from 'node:fs';

export interface GrayImage {
	width: number;
	height: number;
	/** One byte per pixel, 0 black to 255 white. */
	pixels: Uint8Array;
}

/** Rasterises the credential sheet's QR SVG at `scale` pixels per module. */
export function rasterizeQrSvg(svg: string, scale = 8): GrayImage {
	const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
	const dark = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
	if (!viewBox || !dark) throw new Error('not an SVG of the qrcode package');
	const modules = Number(viewBox[1]);
	const size = modules * scale;
	const pixels = new Uint8Array(size * size).fill(255);
	let x = 0;
	let y = 0;
	for (const [, command, args] of dark[1]!.matchAll(/([MmHhVv])([^MmHhVv]*)/g)) {
		const numbers = args!
			.trim()
			.split(/[\s,]+/)
			.filter(Boolean)
			.map(Number);
		switch (command) {
			case 'M':
				[x, y] = [numbers[0]!, numbers[1]!];
				break;
			case 'm':
				[x, y] = [x + numbers[0]!, y + numbers[1]!];
				break;
			case 'h': {
				// A stroke of width 1 centred on y (= row + 0.5): the modules of that row from x to x + n.
				const row = Math.floor(y);
				for (let column = x; column < x + numbers[0]!; column += 1) {
					for (let dy = 0; dy < scale; dy += 1)
						pixels.fill(
							0,
							(row * scale + dy) * size + column * scale,
							(row * scale + dy) * size + (column + 1) * scale
						);
				}
				x += numbers[0]!;
				break;
			}
			default:
				throw new Error(`unexpected path command ${command}`);
		}
	}
	return { width: size, height: size, pixels };
}

/** The gray image as RGBA (what jsQR and a canvas read). */
export function toRgba(image: GrayImage): Uint8ClampedArray {
	const rgba = new Uint8ClampedArray(image.width * image.height * 4);
	image.pixels.forEach((value, index) => {
		rgba.set([value, value, value, 255], index * 4);
	});
	return rgba;
}

/**
 * Writes a Y4M video (what Chromium's --use-file-for-fake-video-capture plays, in a loop) showing the
 * image centred on a white frame of width × height, `frames` times.
 */
export function writeY4m(file: string, image: GrayImage, width = 640, height = 480, frames = 10): void {
	const luma = new Uint8Array(width * height).fill(235);
	const left = Math.floor((width - image.width) / 2);
	const top = Math.floor((height - image.height) / 2);
	for (let row = 0; row < image.height; row += 1) {
		for (let column = 0; column < image.width; column += 1) {
			// Video luma runs from 16 (black) to 235 (white).
			luma[(top + row) * width + left + column] =
				16 + Math.round((image.pixels[row * image.width + column]! * 219) / 255);
		}
	}
	const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
	const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
	const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
	writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
