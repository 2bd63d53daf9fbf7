import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';

import { QueueName } from './queue-names';

/** Every Dispatch queue, by name: for the code that works across queues (relay, reconciler, health, ops). */
@Injectable()
export class QueueRegistry {
  private readonly byName: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.Orders) orders: Queue,
    @InjectQueue(QueueName.Notifications) notifications: Queue,
    @InjectQueue(QueueName.Documents) documents: Queue,
    @InjectQueue(QueueName.Fulfilment) fulfilment: Queue,
  ) {
    this.byName = {
      [QueueName.Orders]: orders,
      [QueueName.Notifications]: notifications,
      [QueueName.Documents]: documents,
      [QueueName.Fulfilment]: fulfilment,
    };
  }

  /** The queue of that name, or undefined for a name that is not one of ours (e.g. from a stored row). */
  get(name: string): Queue | undefined {
    return (this.byName as Record<string, Queue | undefined>)[name];
  }

  all(): Queue[] {
    return Object.values(this.byName);
  }
}
