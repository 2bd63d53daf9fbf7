import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Roles } from '../modules/access/access-rules';
import { UserRole } from '../modules/access/user-role';
import { FakeControlClient } from './fake-control.client';

/**
 * The messages our SMTP capture received (development and tests only; the dev module never loads in production,
 * so the API's contract leaves it out like the other dev routes).
 */
@ApiExcludeController()
@Roles(UserRole.Admin)
@Controller('dev/mailbox')
export class DevMailboxController {
  constructor(private readonly fakes: FakeControlClient) {}

  @Get()
  async list(@Query('to') to?: string): Promise<{ data: unknown[] }> {
    return { data: await this.fakes.mailbox(to) };
  }

  @Delete()
  @HttpCode(204)
  clear(): Promise<void> {
    return this.fakes.clearMailbox();
  }
}
