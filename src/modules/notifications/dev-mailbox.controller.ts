import { Controller, Delete, Get, HttpCode, Inject, Optional, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import { AppConfig } from '../../config/app-config';
import { NotFoundRouteError } from '../../infra/errors/common.errors';
import { Roles } from '../auth/access-rules';
import { UserRole } from '../users/user.entity';
import { SMTP_CAPTURE } from './notifications.module-tokens';
import { CapturedMessage, SmtpCaptureServer } from './smtp/smtp-capture.server';

/** The messages our local SMTP capture received (development and tests only; 404 in production). */
@ApiTags('dev')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('dev/mailbox')
export class DevMailboxController {
  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(SMTP_CAPTURE) private readonly capture: SmtpCaptureServer | null,
  ) {}

  @Get()
  list(@Query('to') to?: string): { data: CapturedMessage[] } {
    return { data: this.server().messages(to ? { to } : undefined) };
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    this.server().clear();
  }

  private server(): SmtpCaptureServer {
    if (this.config.env === 'production' || !this.capture) throw new NotFoundRouteError();
    return this.capture;
  }
}
