import { Module } from '@nestjs/common';

import { CatalogModule } from '../catalog/catalog.module';
import { UsersModule } from '../users/users.module';
import { SeedService } from './seed.service';

@Module({ imports: [UsersModule, CatalogModule], providers: [SeedService], exports: [SeedService] })
export class SeedModule {}
