import { ensureBuilt } from './ensure-built';

/** The chaos suite runs dist/ on servers of its own: it only needs a current build. */
export default function chaosGlobalSetup(): void {
  ensureBuilt();
}
