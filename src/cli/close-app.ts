import { setTimeout as sleep } from 'node:timers/promises';

import { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';

import { QueueRegistry } from '../infra/queue/queue-registry';

const READY_WAIT_MS = 3000;

const SETTLE_MS = 500;

/**
 * Drops the queue's Redis connection and lets BullMQ see it go: its pending init rejects at once when the
 * connection was up or connecting, and never when ioredis was between reconnection attempts (nothing is emitted
 * then), hence the bound.
 */
async function abandon(queue: Queue): Promise<void> {
  const connection = queue.opts.connection as { disconnect?: () => void };
  connection.disconnect?.();
  await Promise.race([queue.waitUntilReady().catch(() => undefined), sleep(SETTLE_MS)]);
}

/**
 * Closes the CLI's application context. A command is over in moments, often before BullMQ has finished
 * connecting its queues; closing one then makes BullMQ drop its listeners while its connection attempt is
 * still pending, and the attempt's rejection, emitted to nobody, would crash the process after the command
 * succeeded. So each queue is first let become ready (briefly) or, when Redis does not answer, disconnected
 * while BullMQ still listens; then the context closes as the app's does.
 */
export async function closeApp(app: INestApplicationContext): Promise<void> {
  await Promise.all(
    app
      .get(QueueRegistry)
      .all()
      .map(async (queue) => {
        const ready = await Promise.race([
          queue.waitUntilReady().then(
            () => true,
            () => false,
          ),
          sleep(READY_WAIT_MS).then(() => false),
        ]);
        if (!ready) await abandon(queue);
      }),
  );
  await app.close();
}
