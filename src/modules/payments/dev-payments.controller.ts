import { Controller, HttpCode, Inject, Optional, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { AppConfig } from '../../config/app-config';
import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { NotFoundRouteError } from '../../infra/errors/common.errors';
import { CurrentUser } from '../auth/access-rules';
import { AuthUser } from '../auth/auth-user';
import { OrderQueriesService } from '../orders/order-queries.service';
import { FakeStripeServer } from './stripe/fake/fake-stripe.server';
import { FAKE_STRIPE } from './stripe/stripe.module';

/**
 * Development only (STRIPE_MODE=fake, never production): pays or declines an order's PaymentIntent at the
 * fake Stripe, which then delivers the signed webhook like Stripe would.
 */
@ApiExcludeController()
@Controller('dev/orders')
export class DevPaymentsController {
  constructor(
    private readonly config: AppConfig,
    private readonly queries: OrderQueriesService,
    @Optional() @Inject(FAKE_STRIPE) private readonly fake: FakeStripeServer | null,
  ) {}

  @Post(':id/pay')
  @HttpCode(202)
  async pay(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
  ): Promise<{ paymentIntentId: string }> {
    return this.act(user, params.id, (fake, pi) => fake.succeedPayment(pi));
  }

  @Post(':id/decline')
  @HttpCode(202)
  async decline(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
  ): Promise<{ paymentIntentId: string }> {
    return this.act(user, params.id, (fake, pi) => fake.failPayment(pi));
  }

  private async act(
    user: AuthUser,
    orderId: string,
    action: (fake: FakeStripeServer, paymentIntentId: string) => Promise<unknown>,
  ): Promise<{ paymentIntentId: string }> {
    if (this.config.env === 'production' || !this.fake) throw new NotFoundRouteError();
    const order = await this.queries.get(user, orderId);
    if (!order.paymentIntentId) throw new NotFoundRouteError();
    await action(this.fake, order.paymentIntentId);
    return { paymentIntentId: order.paymentIntentId };
  }
}
