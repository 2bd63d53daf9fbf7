import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiBinaryResponse, ApiContract } from '../../infra/http/api-contract';
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
  @ApiContract({
    summary: 'Download an order’s invoice PDF (owner or admin)',
    description: 'Issued once the order is paid; before that, 404 INVOICE_NOT_READY.',
    errors: { 404: ['ORDER_NOT_FOUND', 'INVOICE_NOT_READY'] },
  })
  @ApiBinaryResponse('application/pdf', 'the invoice PDF, inline')
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
