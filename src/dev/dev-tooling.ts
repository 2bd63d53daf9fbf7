import { AppConfig } from '../config/app-config';
import type { AppExtensions } from '../app.module';
import { DevModule } from './dev.module';
import { KillAtFailpoint } from './kill-at-failpoint';

/**
 * What development tooling adds to a process (the composition root loads this file only when configuration
 * asks for it; the production build does not contain it).
 */
export function devTooling(config: AppConfig, role: 'api' | 'worker' | 'all'): AppExtensions {
  return {
    imports: [DevModule.forRole(config, role)],
    failpoints: Object.keys(config.dev.failpoints).length ? KillAtFailpoint : undefined,
  };
}
