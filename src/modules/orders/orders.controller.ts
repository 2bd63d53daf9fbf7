import { Body, Controller, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { UserRole } from '../access/user-role';
import { CancelOrderDto } from './dto/cancel-order.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders.query.dto';
import { RefundOrderDto } from './dto/refund-order.dto';
import { ShipOrderDto } from './dto/ship-order.dto';
import { OrderFulfilmentService, RefundAccepted } from './order-fulfilment.service';
import { OrderQueriesService } from './order-queries.service';
import {
  OrderHistoryResponse,
  OrderWorkResponse,
  OrderPageResponse,
  OrderResponse,
  toHistoryResponse,
  toJobResponse,
  toOrderResponse,
} from './order.response';
import { PlaceOrderService } from './place-order.service';

const adminOf = (user: AuthUser) => ({ kind: 'admin' as const, id: user.id });

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: true,
  description:
    'unique per request, scoped per admin and route: a retry with the same key answers the first answer; ' +
    'the same key with another body is 422 IDEMPOTENCY_KEY_REUSED; while the first is in flight, 409',
};

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly placeOrder: PlaceOrderService,
    private readonly queries: OrderQueriesService,
    private readonly fulfilment: OrderFulfilmentService,
  ) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'unique per order attempt, scoped per user',
  })
  @ApiCreatedResponse({ type: OrderResponse })
  async create(
    @CurrentUser() user: AuthUser,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: CreateOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const placed = await this.placeOrder.place(user, key, body);
    void reply.status(placed.status);
    return placed.body;
  }

  @Get()
  @ApiOkResponse({ type: OrderPageResponse })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQueryDto): Promise<OrderPageResponse> {
    return this.queries.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderResponse })
  async get(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderResponse> {
    return toOrderResponse(await this.queries.get(user, params.id));
  }

  @Get(':id/history')
  @ApiOkResponse({ type: [OrderHistoryResponse] })
  async history(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
  ): Promise<OrderHistoryResponse[]> {
    return (await this.queries.history(user, params.id)).map(toHistoryResponse);
  }

  @Get(':id/jobs')
  @ApiOkResponse({ type: OrderWorkResponse })
  async jobs(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderWorkResponse> {
    const { jobs, steps } = await this.queries.jobs(user, params.id);
    return { jobs: jobs.map(toJobResponse), steps };
  }

  @Roles(UserRole.Admin)
  @Patch(':id/ship')
  @ApiOkResponse({ type: OrderResponse })
  async ship(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Body() body: ShipOrderDto,
  ): Promise<OrderResponse> {
    return toOrderResponse(await this.fulfilment.ship(params.id, adminOf(user), body));
  }

  @Roles(UserRole.Admin)
  @Patch(':id/deliver')
  @ApiOkResponse({ type: OrderResponse })
  async deliver(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderResponse> {
    return toOrderResponse(await this.fulfilment.deliver(params.id, adminOf(user)));
  }

  @Roles(UserRole.Admin)
  @Patch(':id/cancel')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: OrderResponse, description: 'unpaid order cancelled' })
  @ApiAcceptedResponse({ type: OrderResponse, description: 'paid order: refund and cancellation queued' })
  async cancel(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: CancelOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderResponse> {
    const answer = await this.fulfilment.cancel(params.id, adminOf(user), key, body);
    void reply.status(answer.status);
    return answer.body;
  }

  @Roles(UserRole.Admin)
  @Patch(':id/refund')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiAcceptedResponse({ description: 'refund requested: { refundId, orderId, amountCents, status }' })
  async refund(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: RefundOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RefundAccepted> {
    const answer = await this.fulfilment.refund(params.id, adminOf(user), key, body);
    void reply.status(answer.status);
    return answer.body;
  }
}
