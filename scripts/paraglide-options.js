// Paraglide's compiler options, shared by the Vite plugin (vite.config.ts) and the CLI's launcher
// (scripts/run-cli.js), so both write the same runtime into src/lib/paraglide.
/** @type {{ project: string; outdir: string; strategy: ('cookie' | 'preferredLanguage' | 'baseLocale')[] }} */
export const paraglideOptions = {
	project: './project.inlang',
	outdir: './src/lib/paraglide',
	strategy: ['cookie', 'preferredLanguage', 'baseLocale']
};
