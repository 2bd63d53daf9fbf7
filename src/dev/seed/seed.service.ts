import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { AppConfig } from '../../config/app-config';
import { CatalogService } from '../../modules/catalog/catalog.service';
import { CreateItemDto } from '../../modules/catalog/dto/create-item.dto';
import { UsersService } from '../../modules/users/users.service';

export const DEMO_ITEMS: CreateItemDto[] = [
  { sku: 'DEMO-TSHIRT-M', name: 'Dispatch T-shirt (M)', priceCents: 1999, currency: 'EUR', stock: 100 },
  { sku: 'DEMO-MUG', name: 'Dispatch mug', priceCents: 1250, currency: 'EUR', stock: 250 },
  { sku: 'DEMO-HOODIE-L', name: 'Dispatch hoodie (L)', priceCents: 4999, currency: 'EUR', stock: 40 },
  { sku: 'DEMO-STICKERS', name: 'Sticker pack', priceCents: 350, currency: 'EUR', stock: 1000 },
  { sku: 'DEMO-CAP', name: 'Dispatch cap', priceCents: 1500, currency: 'EUR', stock: 0 },
];

/**
 * With SEED_TEST_DATA=true (refused in production by config validation) creates a demo admin and a
 * small catalog. Idempotent: existing rows are left untouched.
 */
@Injectable()
export class SeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly catalog: CatalogService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.dev.seed.enabled) await this.seed();
  }

  async seed(): Promise<{ adminCreated: boolean; itemsCreated: number }> {
    const { adminEmail, adminPassword } = this.config.dev.seed;
    if (this.config.env === 'production' || !adminEmail || !adminPassword) {
      throw new Error(
        'Seeding needs SEED_ADMIN_EMAIL and SEED_ADMIN_PASSWORD and is never run in production',
      );
    }
    const adminCreated = await this.users.ensureAdmin(adminEmail, adminPassword);
    const itemsCreated = await this.catalog.ensureItems(DEMO_ITEMS);
    this.logger.log({ adminEmail, adminCreated, itemsCreated }, 'seed data ensured');
    return { adminCreated, itemsCreated };
  }
}
