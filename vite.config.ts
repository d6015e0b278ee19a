import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vitest/config';
import { paraglideOptions } from './scripts/paraglide-options.js';

export default defineConfig({
	plugins: [paraglideVitePlugin(paraglideOptions), sveltekit()],
	server: { host: '127.0.0.1', port: 3000 },
	test: {
		include: ['tests/**/*.test.ts'],
		globalSetup: ['tests/setup/global-setup.ts'],
		testTimeout: 60_000,
		hookTimeout: 120_000,
		pool: 'forks',
		maxWorkers: 2
	}
});
