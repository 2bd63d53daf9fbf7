import { DataSource } from 'typeorm';

import { AppConfig } from '../../src/config/app-config';
import { Failpoints } from '../../src/infra/failpoints/failpoints';
import { Metrics } from '../../src/infra/metrics/metrics.service';
import { QueueRegistry } from '../../src/infra/queue/queue-registry';
import { JobRunsRepository } from '../../src/infra/queue/job-runs.repository';
import { OutboxBatchRelay } from '../../src/modules/outbox/outbox-batch.relay';
import { OutboxRelay } from '../../src/modules/outbox/outbox.relay';
import { OutboxRepository } from '../../src/modules/outbox/outbox.repository';
import { TestApp } from './test-app';

/** A relay instance the test drives by hand (relayBatch), as many as it likes, in an app of any role. */
export function newRelay(t: TestApp): OutboxRelay {
  return new OutboxRelay(
    t.app.get(AppConfig),
    new OutboxBatchRelay(
      t.app.get(DataSource),
      t.app.get(AppConfig),
      t.app.get(JobRunsRepository),
      t.app.get(Metrics),
      t.app.get(Failpoints),
      t.app.get(QueueRegistry),
      new OutboxRepository(t.app.get(DataSource)),
    ),
  );
}
