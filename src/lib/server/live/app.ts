// The server process's one turnout listener, on the app's database, started on first use.
import { db } from '../db';
import { readTurnoutSnapshot, TurnoutListener } from './listener';
import { closeTurnoutStreams } from './stream';

let processListener: TurnoutListener | null = null;

export function appTurnoutListener(): TurnoutListener {
	if (!processListener) {
		processListener = new TurnoutListener(db());
		// Open event streams would hold a graceful shutdown for its whole timeout: end them at once
		// (the browsers reconnect, to another instance if there is one).
		process.once('SIGTERM', closeTurnoutStreams);
		process.once('SIGINT', closeTurnoutStreams);
	}
	return processListener;
}

export function readAppTurnout(votingSessionId: number) {
	return readTurnoutSnapshot(db(), votingSessionId);
}
