import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';

import { PaginationQueryDto } from '../../infra/http/pagination.dto';
import { UuidParamDto } from '../../infra/http/uuid-param.dto';
import { Public, Roles } from '../access/access-rules';
import { UserRole } from '../access/user-role';
import { CatalogService } from './catalog.service';
import { CreateItemDto } from './dto/create-item.dto';
import { UpdateItemDto } from './dto/update-item.dto';
import { ItemPageResponse, ItemResponse } from './item.response';

@ApiTags('catalog')
@Controller('items')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: ItemPageResponse })
  list(@Query() query: PaginationQueryDto): Promise<ItemPageResponse> {
    return this.catalog.list(query.page, query.limit);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: ItemResponse })
  get(@Param() params: UuidParamDto): Promise<ItemResponse> {
    return this.catalog.get(params.id);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Post()
  @ApiCreatedResponse({ type: ItemResponse })
  create(@Body() body: CreateItemDto): Promise<ItemResponse> {
    return this.catalog.create(body);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Patch(':id')
  @ApiOkResponse({ type: ItemResponse })
  update(@Param() params: UuidParamDto, @Body() body: UpdateItemDto): Promise<ItemResponse> {
    return this.catalog.update(params.id, body);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  remove(@Param() params: UuidParamDto): Promise<void> {
    return this.catalog.remove(params.id);
  }
}
