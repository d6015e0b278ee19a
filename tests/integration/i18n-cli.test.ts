// The operator CLI speaks English, or Chinese when the terminal's locale is Chinese
// (LANG=zh_CN.UTF-8) or `--lang zh-CN` asks for it; `--lang` wins over the environment.
import { runCli } from '../helpers/cli';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../helpers/suite';

function cli(args: string[], env: Record<string, string>, databaseUrl?: string) {
	const result = runCli(args, { databaseUrl, env: { LC_ALL: '', LC_MESSAGES: '', LANG: '', ...env } });
	return { status: result.code, stdout: result.stdout, stderr: result.stderr };
}

describe('the CLI’s language', () => {
	const database = useTestDatabase();

	it('prints its usage in English by default and in Chinese for a Chinese locale or --lang zh-CN', () => {
		const english = cli([], { LANG: 'C.UTF-8' });
		expect(english.status).toBe(2);
		expect(english.stdout).toContain('Usage: npm run cli -- <command>');
		expect(english.stdout).toContain('Exit codes: 0 done, 1 failed, 2 bad arguments.');

		const chinese = cli([], { LANG: 'zh_CN.UTF-8' });
		expect(chinese.stdout).toContain('用法：npm run cli -- <命令>');
		expect(chinese.stdout).toContain('退出码：0 完成，1 失败，2 参数错误。');

		expect(cli(['--lang', 'zh-CN'], { LANG: 'en_US.UTF-8' }).stdout).toContain('用法：');
		expect(cli(['--lang=en'], { LC_ALL: 'zh_CN.UTF-8' }).stdout).toContain('Usage:');
	});

	it('reports a refused step in the chosen language', () => {
		const english = cli(['session:open', '987654'], { LANG: 'en_US.UTF-8' }, database.url);
		expect(english.status).toBe(1);
		expect(english.stderr).toContain('could not open session 987654: no such voting session');
		const chinese = cli(['session:open', '987654', '--lang', 'zh-CN'], {}, database.url);
		expect(chinese.status).toBe(1);
		expect(chinese.stderr).toContain('场次 987654 无法执行 open：没有这个票决场次');
		// A bad argument names the problem in the language too (the schema's own message).
		const badId = cli(['session:open', 'abc'], { LANG: 'zh_CN.UTF-8' }, database.url);
		expect(badId.status).toBe(2);
		expect(badId.stderr).toContain('SESSION_ID 无效');
	});
});
