import { Module } from '@nestjs/common';

import { OperatorConsoleController } from './operator-console.controller';
import { OperatorConsoleService } from './operator-console.service';

/** Admin API for operators: failed jobs, stuck outbox rows, retries and order resolutions, all audited. */
@Module({ controllers: [OperatorConsoleController], providers: [OperatorConsoleService] })
export class OperatorConsoleModule {}
