import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { ApiBinaryResponse, ApiContract } from '../../infra/http/api-contract';
import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { UserRole } from '../access/user-role';
import { CreateOrdersExportDto } from './dto/create-orders-export.dto';
import { ExportAcceptedResponse, ExportRecordResponse } from './export.response';
import { ExportsService } from './exports.service';

@ApiTags('documents')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post('orders')
  @HttpCode(202)
  @ApiContract({ summary: 'Request a CSV export of orders (admin)' })
  @ApiAcceptedResponse({
    type: ExportAcceptedResponse,
    description: 'queued; the admin is emailed when it is ready',
  })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateOrdersExportDto,
  ): Promise<ExportAcceptedResponse> {
    const record = await this.exports.request(user.id, body);
    return { exportId: record.id, status: record.status };
  }

  @Get(':id')
  @ApiContract({ summary: 'An export’s status (admin)', errors: { 404: ['EXPORT_NOT_FOUND'] } })
  @ApiOkResponse({ type: ExportRecordResponse, description: 'the export record' })
  get(@Param() params: UuidParamDto): Promise<ExportRecordResponse> {
    return this.exports.get(params.id);
  }

  @Get(':id/download')
  @ApiContract({
    summary: 'Download a completed export’s CSV (admin)',
    errors: { 404: ['EXPORT_NOT_FOUND'], 409: ['EXPORT_NOT_READY'] },
  })
  @ApiBinaryResponse('text/csv', 'the CSV (UTF-8, CRLF, a header row), as an attachment')
  async download(@Param() params: UuidParamDto, @Res() reply: FastifyReply): Promise<void> {
    const { stream, filename } = await this.exports.open(params.id);
    await reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .send(stream);
  }
}
