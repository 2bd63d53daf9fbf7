import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';

import { ApiContract } from '../../infra/http/api-contract';
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
  @ApiContract({ summary: 'List items for sale (cached)' })
  @ApiOkResponse({ type: ItemPageResponse, description: 'one page of items' })
  list(@Query() query: PaginationQueryDto): Promise<ItemPageResponse> {
    return this.catalog.list(query.page, query.limit);
  }

  @Public()
  @Get(':id')
  @ApiContract({ summary: 'Get one item (cached)', errors: { 404: ['ITEM_NOT_FOUND'] } })
  @ApiOkResponse({ type: ItemResponse, description: 'the item' })
  get(@Param() params: UuidParamDto): Promise<ItemResponse> {
    return this.catalog.get(params.id);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Post()
  @ApiContract({ summary: 'Create an item (admin)', errors: { 409: ['SKU_TAKEN'] } })
  @ApiCreatedResponse({ type: ItemResponse, description: 'the new item' })
  create(@Body() body: CreateItemDto): Promise<ItemResponse> {
    return this.catalog.create(body);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Patch(':id')
  @ApiContract({
    summary: 'Change an item (admin)',
    errors: { 404: ['ITEM_NOT_FOUND'], 409: ['SKU_TAKEN'] },
  })
  @ApiOkResponse({ type: ItemResponse, description: 'the changed item' })
  update(@Param() params: UuidParamDto, @Body() body: UpdateItemDto): Promise<ItemResponse> {
    return this.catalog.update(params.id, body);
  }

  @Roles(UserRole.Admin)
  @ApiBearerAuth()
  @Delete(':id')
  @HttpCode(204)
  @ApiContract({
    summary: 'Delete an item (admin; soft: its sku becomes free)',
    errors: { 404: ['ITEM_NOT_FOUND'] },
  })
  @ApiNoContentResponse({ description: 'deleted' })
  remove(@Param() params: UuidParamDto): Promise<void> {
    return this.catalog.remove(params.id);
  }
}
