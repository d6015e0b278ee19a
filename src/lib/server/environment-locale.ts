// The language of programs run in a terminal (`npm start`, the CLI, the test setup, the bench):
// Chinese under a Chinese locale (LC_ALL, LC_MESSAGES or LANG such as zh_CN.UTF-8), else English.
// Servers' terminals usually run C or en_US, so scripted output stays stable.
import type { Locale } from '../paraglide/runtime';

/** `asked` (a `--lang` value) when given, else the terminal's locale. */
export function localeFromEnvironment(env: NodeJS.ProcessEnv = process.env, asked?: string): Locale {
	const wanted = asked ?? (env.LC_ALL || env.LC_MESSAGES || env.LANG || '');
	return wanted.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
