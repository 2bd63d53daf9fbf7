import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';

import { AppConfig } from '../../src/config/app-config';
import { Failpoints } from '../../src/infra/chaos/failpoints';
import { Metrics } from '../../src/infra/metrics/metrics.service';
import { QueueName } from '../../src/infra/queue/queue-names';
import { JobRunsRepository } from '../../src/modules/outbox/job-runs.repository';
import { OutboxRelay } from '../../src/modules/outbox/outbox.relay';
import { TestApp } from './test-app';

/** A relay instance the test drives by hand (relayBatch), as many as it likes, in an app of any role. */
export function newRelay(t: TestApp): OutboxRelay {
  const queue = (name: QueueName) => t.app.get<Queue>(getQueueToken(name));
  return new OutboxRelay(
    t.app.get(DataSource),
    t.app.get(AppConfig),
    t.app.get(JobRunsRepository),
    t.app.get(Metrics),
    t.app.get(Failpoints),
    queue(QueueName.Orders),
    queue(QueueName.Notifications),
    queue(QueueName.Documents),
    queue(QueueName.Fulfilment),
  );
}
