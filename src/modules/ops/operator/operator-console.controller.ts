import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { UuidParamDto } from '../../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../../access/access-rules';
import { AuthUser } from '../../access/auth-user';
import { UserRole } from '../../access/user-role';
import { JobRefDto } from './dto/job-ref.dto';
import { OpsListQueryDto } from './dto/ops-list.query.dto';
import { OpsReasonDto } from './dto/ops-reason.dto';
import { UnmatchedPayment } from '../../payments/ledger/unmatched-payments.repository';
import { FailedJob, OperatorConsoleService, StuckOutboxRow } from './operator-console.service';

const actorOf = (user: AuthUser) => `admin:${user.id}`;

@ApiTags('ops')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('ops')
export class OperatorConsoleController {
  constructor(private readonly console: OperatorConsoleService) {}

  @Get('failed-jobs')
  async failedJobs(@Query() query: OpsListQueryDto): Promise<{ data: FailedJob[] }> {
    return { data: await this.console.failedJobs(query.limit) };
  }

  @Get('stuck-outbox')
  async stuckOutbox(@Query() query: OpsListQueryDto): Promise<{ data: StuckOutboxRow[] }> {
    return { data: await this.console.stuckOutbox(query.olderThanSeconds, query.limit) };
  }

  /** Payment events that were not the own PaymentIntent of an order (foreign intent, amount or currency). */
  @Get('unmatched-payments')
  async unmatchedPayments(@Query() query: OpsListQueryDto): Promise<{ data: UnmatchedPayment[] }> {
    return { data: await this.console.unmatchedPayments(query.limit) };
  }

  @Get('audit')
  async audit(@Query() query: OpsListQueryDto): Promise<{ data: unknown[] }> {
    return { data: await this.console.auditTrail(query.target, query.limit) };
  }

  @Post('jobs/:queue/:jobId/retry')
  @HttpCode(202)
  retry(
    @CurrentUser() user: AuthUser,
    @Param() params: JobRefDto,
    @Body() body: OpsReasonDto,
  ): Promise<{ jobId: string; action: string }> {
    return this.console.retryJob(actorOf(user), params.queue, params.jobId, body.reason);
  }

  @Post('orders/:id/resolve')
  @HttpCode(200)
  resolve(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Body() body: OpsReasonDto,
  ): Promise<{ orderId: string; status: string }> {
    return this.console.resolveOrder(actorOf(user), params.id, body.reason);
  }
}
