import { Injectable } from '@nestjs/common';

import { Page } from '../../infra/http/pagination.dto';
import { AuthUser } from '../access/auth-user';
import { JobRun, JobRunsRepository } from '../../infra/queue/job-runs.repository';
import { UserRole } from '../access/user-role';
import { ListOrdersQueryDto } from './dto/list-orders.query.dto';
import { Order } from './order';
import { OrderStatus } from './order-state';
import { OrderResponse, toOrderResponse } from './order.response';
import { OrderNotFoundError } from './orders.errors';
import { HistoryEntry, OrdersRepository } from './orders.repository';
import { OrderStep, OrderStepsRepository } from './order-steps.repository';

/** Reads. A customer sees only their own orders; another user's order is a 404, not a 403. */
@Injectable()
export class OrderQueriesService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly jobRuns: JobRunsRepository,
    private readonly steps: OrderStepsRepository,
  ) {}

  async list(user: AuthUser, query: ListOrdersQueryDto): Promise<Page<OrderResponse>> {
    const isAdmin = user.role === UserRole.Admin;
    const { orders, total } = await this.orders.list({
      userId: isAdmin ? query.userId : user.id,
      status: query.status,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      page: query.page,
      limit: query.limit,
    });
    return { data: orders.map((o) => toOrderResponse(o)), total, page: query.page, limit: query.limit };
  }

  /** One order, for another module's work (not scoped to a user: never answer a client with it unchecked). */
  find(orderId: string): Promise<Order | null> {
    return this.orders.find(orderId);
  }

  /** The rows of an orders export, streamed (see OrdersRepository.exportRows); `close` when done. */
  exportRows(filters: { status?: OrderStatus; from?: string; to?: string }) {
    return this.orders.exportRows(filters);
  }

  async get(user: AuthUser, orderId: string): Promise<Order> {
    const order = await this.orders.find(orderId);
    if (!order || (user.role !== UserRole.Admin && order.userId !== user.id))
      throw new OrderNotFoundError(orderId);
    return order;
  }

  async history(user: AuthUser, orderId: string): Promise<HistoryEntry[]> {
    await this.get(user, orderId);
    return this.historyOf(orderId);
  }

  async jobs(user: AuthUser, orderId: string): Promise<{ jobs: JobRun[]; steps: OrderStep[] }> {
    await this.get(user, orderId);
    return this.workOf(orderId);
  }

  /** The order's transitions, oldest first (not scoped to a user, like `find`). */
  historyOf(orderId: string): Promise<HistoryEntry[]> {
    return this.orders.history(orderId);
  }

  /** The order's job runs and side-effect steps (not scoped to a user, like `find`). */
  async workOf(orderId: string): Promise<{ jobs: JobRun[]; steps: OrderStep[] }> {
    const [jobs, steps] = await Promise.all([
      this.jobRuns.forAggregate(orderId),
      this.steps.forOrder(orderId),
    ]);
    return { jobs, steps };
  }
}
