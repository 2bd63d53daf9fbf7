import { ensureBuilt } from './ensure-built';
import { startBusySpinner } from './busy-spinner';

/**
 * The chaos suite runs dist/ on servers of its own: it only needs a current build. With `CHAOS_BUSY=1` a
 * child process keeps one core busy for the whole run (stopped by the global teardown), to prove that the
 * suite's verdict depends on what the server did, never on how fast it did it.
 */
export default function chaosGlobalSetup(): void {
  ensureBuilt();
  if (process.env.CHAOS_BUSY === '1') startBusySpinner();
}
