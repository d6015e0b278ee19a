// The large-text mode for delegates (and anyone who wants it): a cookie that the page's <body>
// carries as data-text-size; the stylesheet then scales the root size (every rem) without JavaScript.
export const TEXT_SIZE_COOKIE = 'piaojue_text_size';
export const TEXT_SIZES = ['normal', 'large'] as const;
export type TextSize = (typeof TEXT_SIZES)[number];
/** Remembered for 400 days (the longest a browser keeps a cookie). */
export const TEXT_SIZE_MAX_AGE = 400 * 24 * 3600;

export function textSizeOf(cookie: string | undefined): TextSize {
	return cookie === 'large' ? 'large' : 'normal';
}
