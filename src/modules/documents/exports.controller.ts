import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { CurrentUser, Roles } from '../access/access-rules';
import { AuthUser } from '../access/auth-user';
import { UserRole } from '../access/user-role';
import { CreateOrdersExportDto } from './dto/create-orders-export.dto';
import { ExportRecord, ExportsService } from './exports.service';

@ApiTags('documents')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post('orders')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: '{ exportId, status }' })
  async create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateOrdersExportDto,
  ): Promise<{ exportId: string; status: string }> {
    const record = await this.exports.request(user.id, body);
    return { exportId: record.id, status: record.status };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'the export record' })
  get(@Param() params: UuidParamDto): Promise<ExportRecord> {
    return this.exports.get(params.id);
  }

  @Get(':id/download')
  @ApiProduces('text/csv')
  async download(@Param() params: UuidParamDto, @Res() reply: FastifyReply): Promise<void> {
    const { stream, filename } = await this.exports.open(params.id);
    await reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="${filename}"`)
      .send(stream);
  }
}
