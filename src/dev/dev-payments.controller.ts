import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { UuidParamDto } from '../infra/http/uuid-param.dto';
import { NotFoundRouteError } from '../infra/errors/common.errors';
import { CurrentUser } from '../modules/access/access-rules';
import { AuthUser } from '../modules/access/auth-user';
import { OrderQueriesService } from '../modules/orders/order-queries.service';
import { FakeControlClient } from './fake-control.client';

/**
 * Development only (STRIPE_MODE=fake; the dev module is never loaded in production): pays or declines an
 * order's PaymentIntent at the fake Stripe, which then delivers the signed webhook like Stripe would. An
 * intent that is already paid or canceled is a 409 PAYMENT_NOT_PAYABLE.
 */
@ApiExcludeController()
@Controller('dev/orders')
export class DevPaymentsController {
  constructor(
    private readonly queries: OrderQueriesService,
    private readonly fakes: FakeControlClient,
  ) {}

  @Post(':id/pay')
  @HttpCode(202)
  pay(@CurrentUser() user: AuthUser, @Param() params: UuidParamDto): Promise<{ paymentIntentId: string }> {
    return this.settle(user, params.id, 'succeed');
  }

  @Post(':id/decline')
  @HttpCode(202)
  decline(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
  ): Promise<{ paymentIntentId: string }> {
    return this.settle(user, params.id, 'fail');
  }

  private async settle(
    user: AuthUser,
    orderId: string,
    outcome: 'succeed' | 'fail',
  ): Promise<{ paymentIntentId: string }> {
    const order = await this.queries.get(user, orderId);
    if (!order.paymentIntentId) throw new NotFoundRouteError();
    await this.fakes.settlePayment(order.paymentIntentId, outcome);
    return { paymentIntentId: order.paymentIntentId };
  }
}
