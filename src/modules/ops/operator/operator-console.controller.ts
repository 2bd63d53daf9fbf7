import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { ApiContract } from '../../../infra/http/api-contract';
import { UuidParamDto } from '../../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../../access/access-rules';
import { AuthUser } from '../../access/auth-user';
import { UserRole } from '../../access/user-role';
import { JobRefDto } from './dto/job-ref.dto';
import { OpsListQueryDto } from './dto/ops-list.query.dto';
import { OpsReasonDto } from './dto/ops-reason.dto';
import {
  AuditListResponse,
  FailedJobListResponse,
  JobRetriedResponse,
  OrderResolvedResponse,
  StuckOutboxListResponse,
  UnmatchedPaymentListResponse,
} from './operator-console.response';
import { OperatorConsoleService } from './operator-console.service';

const actorOf = (user: AuthUser) => `admin:${user.id}`;

@ApiTags('ops')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('ops')
export class OperatorConsoleController {
  constructor(private readonly console: OperatorConsoleService) {}

  @Get('failed-jobs')
  @ApiContract({ summary: 'Jobs that failed for good (admin)' })
  @ApiOkResponse({ type: FailedJobListResponse, description: 'up to `limit` failed jobs' })
  async failedJobs(@Query() query: OpsListQueryDto): Promise<FailedJobListResponse> {
    return { data: await this.console.failedJobs(query.limit) };
  }

  @Get('stuck-outbox')
  @ApiContract({ summary: 'Outbox rows unsent for longer than `olderThanSeconds` (admin)' })
  @ApiOkResponse({ type: StuckOutboxListResponse, description: 'up to `limit` rows' })
  async stuckOutbox(@Query() query: OpsListQueryDto): Promise<StuckOutboxListResponse> {
    return { data: await this.console.stuckOutbox(query.olderThanSeconds, query.limit) };
  }

  /** Payment events that were not the own PaymentIntent of an order (foreign intent, amount or currency). */
  @Get('unmatched-payments')
  @ApiContract({ summary: 'Payment events that matched no order’s own PaymentIntent (admin)' })
  @ApiOkResponse({ type: UnmatchedPaymentListResponse, description: 'up to `limit` events' })
  async unmatchedPayments(@Query() query: OpsListQueryDto): Promise<UnmatchedPaymentListResponse> {
    return { data: await this.console.unmatchedPayments(query.limit) };
  }

  @Get('audit')
  @ApiContract({ summary: 'The operators’ audit trail, optionally for one target (admin)' })
  @ApiOkResponse({ type: AuditListResponse, description: 'up to `limit` entries' })
  async audit(@Query() query: OpsListQueryDto): Promise<AuditListResponse> {
    return { data: await this.console.auditTrail(query.target, query.limit) };
  }

  @Post('jobs/:queue/:jobId/retry')
  @HttpCode(202)
  @ApiContract({
    summary: 'Retry a failed job, or send its outbox row again (admin; audited)',
    errors: { 404: ['JOB_NOT_FOUND'], 409: ['JOB_NOT_FAILED'] },
  })
  @ApiAcceptedResponse({ type: JobRetriedResponse, description: 'queued again' })
  retry(
    @CurrentUser() user: AuthUser,
    @Param() params: JobRefDto,
    @Body() body: OpsReasonDto,
  ): Promise<JobRetriedResponse> {
    return this.console.retryJob(actorOf(user), params.queue, params.jobId, body.reason);
  }

  @Post('orders/:id/resolve')
  @HttpCode(200)
  @ApiContract({
    summary: 'Mark an order’s problem resolved by hand (admin; audited)',
    errors: { 404: ['ORDER_NOT_FOUND'] },
  })
  @ApiOkResponse({ type: OrderResolvedResponse, description: 'the note was added' })
  resolve(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Body() body: OpsReasonDto,
  ): Promise<OrderResolvedResponse> {
    return this.console.resolveOrder(actorOf(user), params.id, body.reason);
  }
}
