import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { CurrentUser } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { InvoicesService } from './invoices.service';

@ApiTags('documents')
@ApiBearerAuth()
@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get(':id.pdf')
  @ApiProduces('application/pdf')
  @ApiOkResponse({ description: 'the invoice PDF of a paid order (owner or admin)' })
  async download(
    @CurrentUser() user: AuthUser,
    @Param() params: UuidParamDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { number, stream } = await this.invoices.open(user, params.id);
    await reply
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename="${number}.pdf"`)
      .send(stream);
  }
}
