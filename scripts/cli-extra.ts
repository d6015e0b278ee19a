// Commands kept in files of their own; each registers here under its name.
import type { CliCommand } from './cli-support';

export const extraCommands: Record<string, CliCommand> = {};
