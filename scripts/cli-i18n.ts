// The language of the operator CLI: English unless asked for Chinese, by `--lang zh-CN` (or
// `--lang en`) anywhere on the command line, or a Chinese locale in LC_ALL, LC_MESSAGES or LANG
// (zh_CN.UTF-8). Servers' terminals usually run C or en_US, so scripted output stays stable.
// The messages live in messages/a11y (a11y_cli_*). Documents the CLI writes (the result export)
// are in Chinese, like the app's, unless `--lang` names their language.
import {
	baseLocale,
	getLocale as getMessagesLocale,
	overwriteGetLocale,
	type Locale
} from '../src/lib/paraglide/runtime';
import { localeFromEnvironment } from '../src/lib/server/environment-locale';

export interface CliLanguage {
	/** The language of the messages. */
	locale: Locale;
	/** The language of documents written (exports): `--lang`, else the app's default. */
	documentLocale: Locale;
	/** The arguments without `--lang`. */
	args: string[];
}

let documentLocale: Locale = baseLocale;

/** The language asked for and the arguments without `--lang`. */
export function cliLanguage(argv: string[], env: NodeJS.ProcessEnv = process.env): CliLanguage {
	const args: string[] = [];
	let asked: string | undefined;
	for (let index = 0; index < argv.length; index += 1) {
		const argument = argv[index]!;
		if (argument === '--lang') asked = argv[++index];
		else if (argument.startsWith('--lang=')) asked = argument.slice('--lang='.length);
		else args.push(argument);
	}
	const locale = localeFromEnvironment(env, asked);
	return { locale, documentLocale: asked === undefined ? baseLocale : locale, args };
}

/** Every message from here on is in the language's locale. */
export function useCliLanguage(language: CliLanguage): void {
	documentLocale = language.documentLocale;
	overwriteGetLocale(() => language.locale);
}

/** Makes a document (an export) in the documents' language. */
export function inDocumentLanguage<T>(make: () => T): T {
	const messagesLocale = getMessagesLocale();
	overwriteGetLocale(() => documentLocale);
	try {
		return make();
	} finally {
		overwriteGetLocale(() => messagesLocale);
	}
}
