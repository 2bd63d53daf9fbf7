import { stopBusySpinner } from './busy-spinner';

export default async function chaosGlobalTeardown(): Promise<void> {
  await stopBusySpinner();
}
