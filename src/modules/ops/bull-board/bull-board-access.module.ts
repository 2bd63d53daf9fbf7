import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';

import { BULL_BOARD_PATH } from '../../../infra/http/configure-app';
import { QueueName } from '../../../infra/queue/queue-names';
import { AuthModule } from '../../auth/auth.module';
import { AuthService } from '../../auth/auth.service';
import { UsersModule } from '../../users/users.module';
import { bullBoardAccessHook } from './bull-board-access.hook';
import { BullBoardLoginController } from './bull-board-login.controller';
import { BullBoardLoginService } from './bull-board-login.service';
import { gatedFastifyAdapter } from './gated-fastify-adapter';

/**
 * Bull Board at /bull-board (outside /v1, see configureApp) over every queue, for admins signed in through
 * its login form. Imported by api processes only.
 */
@Module({
  imports: [
    AuthModule,
    UsersModule,
    BullBoardModule.forRootAsync({
      imports: [AuthModule],
      inject: [AuthService],
      useFactory: (auth: AuthService) => ({
        route: `/${BULL_BOARD_PATH}`,
        adapter: gatedFastifyAdapter(bullBoardAccessHook(auth)),
        boardOptions: { uiConfig: { boardTitle: 'Dispatch queues', hideDocsLink: true } },
      }),
    }),
    BullBoardModule.forFeature(...Object.values(QueueName).map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
  controllers: [BullBoardLoginController],
  providers: [BullBoardLoginService],
})
export class BullBoardAccessModule {}
