import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { CatalogController } from './catalog.controller';
import { CatalogService } from './catalog.service';
import { ItemEntity } from './item.entity';
import { ItemsRepository } from './items.repository';
import { StockRepository } from './stock.repository';

@Module({
  imports: [TypeOrmModule.forFeature([ItemEntity])],
  controllers: [CatalogController],
  providers: [ItemsRepository, StockRepository, CatalogService],
  exports: [CatalogService],
})
export class CatalogModule {}
