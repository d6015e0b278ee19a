// Commands kept in files of their own; each registers here under its name.
import type { CliCommand } from './cli-support';
import { presenceMarkCommand } from './cli-attendance';
import { auditVerifyCommand } from './cli-audit';
import { backupCommand, restoreCommand } from './cli-backup';
import { catalogImportCommand } from './cli-catalog';
import { codesIssueCommand, rosterImportCommand } from './cli-electorate';
import { twoFactorResetCommand } from './cli-security';
import { adoptRulesCommand, followUpCommand, reviewCommand, scrutineersCommand } from './cli-procedure';

export const extraCommands: Record<string, CliCommand> = {
	'audit:verify': auditVerifyCommand,
	'roster:import': rosterImportCommand,
	'codes:issue': codesIssueCommand,
	'catalog:import': catalogImportCommand,
	backup: backupCommand,
	restore: restoreCommand,
	'two-factor:reset': twoFactorResetCommand,
	'session:adopt-rules': adoptRulesCommand,
	'session:review': reviewCommand,
	'session:scrutineers': scrutineersCommand,
	'session:followup': followUpCommand,
	'presence:mark': presenceMarkCommand
};
