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

import { ApiContract } from '../../infra/http/api-contract';
import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { UserRole } from '../access/user-role';
import { CancelOrderDto } from './dto/cancel-order.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders.query.dto';
import { RefundOrderDto } from './dto/refund-order.dto';
import { ShipOrderDto } from './dto/ship-order.dto';
import { OrderFulfilmentService } from './order-fulfilment.service';
import { OrderQueriesService } from './order-queries.service';
import {
  OrderHistoryResponse,
  OrderWorkResponse,
  OrderPageResponse,
  OrderResponse,
  RefundAcceptedResponse,
  toHistoryResponse,
  toJobResponse,
  toOrderResponse,
} from './order.response';
import { PlaceOrderService } from './place-order.service';

const adminOf = (user: AuthUser) => ({ kind: 'admin' as const, id: user.id });

const idempotencyHeader = (scope: string) => ({
  name: 'Idempotency-Key',
  required: true,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  description:
    `1-255 printable characters, unique per request and scoped per ${scope}: a retry with the same key and ` +
    'body answers the first answer again (status and body) without acting twice; the same key with another ' +
    'body is 422 IDEMPOTENCY_KEY_REUSED; while the first request is still in flight, 409 ' +
    'IDEMPOTENCY_REQUEST_IN_FLIGHT; missing, 400 IDEMPOTENCY_KEY_REQUIRED',
});

const NOT_FOUND = { 404: ['ORDER_NOT_FOUND'] };
const TRANSITION_CONFLICTS = [
  'ILLEGAL_ORDER_TRANSITION',
  'ORDER_TRANSITION_REFUSED',
  'ORDER_VERSION_CONFLICT',
];
const IDEMPOTENCY_ERRORS = {
  400: ['IDEMPOTENCY_KEY_REQUIRED'],
  409: ['IDEMPOTENCY_REQUEST_IN_FLIGHT'],
  422: ['IDEMPOTENCY_KEY_REUSED'],
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
  @ApiHeader(idempotencyHeader('user'))
  @ApiContract({
    summary: 'Place an order (reserves stock, creates the PaymentIntent)',
    description: 'The answer carries `clientSecret` for Stripe.js; the order is PENDING until payment.',
    errors: {
      400: IDEMPOTENCY_ERRORS[400],
      409: [...IDEMPOTENCY_ERRORS[409], 'INSUFFICIENT_STOCK'],
      422: [
        ...IDEMPOTENCY_ERRORS[422],
        'ORDER_ITEM_NOT_FOUND',
        'MIXED_CURRENCY',
        'CURRENCY_NOT_SUPPORTED',
        'ORDER_TOTAL_TOO_SMALL',
        'ORDER_TOTAL_TOO_LARGE',
      ],
      502: ['PAYMENT_PROVIDER_ERROR'],
      503: ['PAYMENT_PROVIDER_UNAVAILABLE'],
    },
  })
  @ApiCreatedResponse({
    type: OrderResponse,
    description: 'the order (a retry with the key: the same answer)',
  })
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
  @ApiContract({ summary: 'List orders (own orders; admins all, filterable by userId)' })
  @ApiOkResponse({ type: OrderPageResponse, description: 'one page of orders, newest first' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListOrdersQueryDto): Promise<OrderPageResponse> {
    return this.queries.list(user, query);
  }

  @Get(':id')
  @ApiContract({ summary: 'Get an order (owner or admin)', errors: NOT_FOUND })
  @ApiOkResponse({ type: OrderResponse, description: 'the order' })
  async get(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderResponse> {
    return toOrderResponse(await this.queries.get(user, params.id));
  }

  @Get(':id/history')
  @ApiContract({ summary: 'An order’s status history, oldest first', errors: NOT_FOUND })
  @ApiOkResponse({ type: [OrderHistoryResponse], description: 'every transition' })
  async history(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
  ): Promise<OrderHistoryResponse[]> {
    return (await this.queries.history(user, params.id)).map(toHistoryResponse);
  }

  @Get(':id/jobs')
  @ApiContract({ summary: 'The jobs and side-effect steps of an order', errors: NOT_FOUND })
  @ApiOkResponse({ type: OrderWorkResponse, description: 'jobs and steps' })
  async jobs(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderWorkResponse> {
    const { jobs, steps } = await this.queries.jobs(user, params.id);
    return { jobs: jobs.map(toJobResponse), steps };
  }

  @Roles(UserRole.Admin)
  @Patch(':id/ship')
  @ApiContract({
    summary: 'Ship a processed order (admin)',
    errors: { ...NOT_FOUND, 409: TRANSITION_CONFLICTS },
  })
  @ApiOkResponse({ type: OrderResponse, description: 'the order, SHIPPED' })
  async ship(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Body() body: ShipOrderDto,
  ): Promise<OrderResponse> {
    return toOrderResponse(await this.fulfilment.ship(params.id, adminOf(user), body));
  }

  @Roles(UserRole.Admin)
  @Patch(':id/deliver')
  @ApiContract({
    summary: 'Mark a shipped order delivered (admin)',
    errors: { ...NOT_FOUND, 409: TRANSITION_CONFLICTS },
  })
  @ApiOkResponse({ type: OrderResponse, description: 'the order, DELIVERED' })
  async deliver(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<OrderResponse> {
    return toOrderResponse(await this.fulfilment.deliver(params.id, adminOf(user)));
  }

  @Roles(UserRole.Admin)
  @Patch(':id/cancel')
  @ApiHeader(idempotencyHeader('admin and route'))
  @ApiContract({
    summary: 'Cancel an order (admin; a paid one is refunded first)',
    errors: {
      ...NOT_FOUND,
      400: IDEMPOTENCY_ERRORS[400],
      409: [
        ...IDEMPOTENCY_ERRORS[409],
        ...TRANSITION_CONFLICTS,
        'ORDER_CANCELLATION_PENDING',
        'ORDER_REFUND_IN_PROGRESS',
      ],
      422: IDEMPOTENCY_ERRORS[422],
    },
  })
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
  @ApiHeader(idempotencyHeader('admin and route'))
  @ApiContract({
    summary: 'Refund an order, fully or partly (admin)',
    description: 'Never more than captured − (refunded + pending + requested).',
    errors: {
      ...NOT_FOUND,
      400: IDEMPOTENCY_ERRORS[400],
      409: [...IDEMPOTENCY_ERRORS[409], ...TRANSITION_CONFLICTS, 'ORDER_CANCELLATION_PENDING'],
      422: [...IDEMPOTENCY_ERRORS[422], 'REFUND_EXCEEDS_CAPTURED'],
    },
  })
  @ApiAcceptedResponse({
    type: RefundAcceptedResponse,
    description: 'refund requested; a job sends it to Stripe',
  })
  async refund(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: RefundOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RefundAcceptedResponse> {
    const answer = await this.fulfilment.refund(params.id, adminOf(user), key, body);
    void reply.status(answer.status);
    return answer.body;
  }
}
