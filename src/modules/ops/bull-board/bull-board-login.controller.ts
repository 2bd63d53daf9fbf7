import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { AppConfig } from '../../../config/app-config';
import { BULL_BOARD_PATH } from '../../../infra/http/configure-app';
import { StrictRateLimit } from '../../../infra/http/rate-limit';
import { Public } from '../../access/access-rules';
import { BULL_BOARD_COOKIE, bullBoardCookieOptions, readBullBoardToken } from './bull-board-cookie';
import { renderLoginPage } from './bull-board-login.page';
import { BullBoardLoginService } from './bull-board-login.service';
import { BullBoardLoginDto } from './dto/bull-board-login.dto';

const LOGIN_ERRORS = {
  'invalid-credentials': { status: 401, message: 'Email or password is incorrect.' },
  'not-admin': { status: 403, message: 'Only admins may open Bull Board.' },
} as const;

/**
 * Browsers cannot send a Bearer header, so Bull Board is entered through this form: it sets an httpOnly
 * cookie holding an access token, which the hook in front of Bull Board checks on every request.
 */
@ApiExcludeController()
@Public()
@Controller(BULL_BOARD_PATH)
export class BullBoardLoginController {
  constructor(
    private readonly login: BullBoardLoginService,
    private readonly config: AppConfig,
  ) {}

  @Get('login')
  form(@Res() reply: FastifyReply): FastifyReply {
    return reply.type('text/html; charset=utf-8').send(renderLoginPage());
  }

  @StrictRateLimit()
  @Post('login')
  async signIn(@Body() body: BullBoardLoginDto, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const result = await this.login.signIn(body.email, body.password);
    if (result.status !== 'signed-in') {
      const { status, message } = LOGIN_ERRORS[result.status];
      return reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(renderLoginPage({ error: message, email: body.email }));
    }
    return reply
      .setCookie(BULL_BOARD_COOKIE, result.accessToken, bullBoardCookieOptions(this.config))
      .redirect(`/${BULL_BOARD_PATH}`, 303);
  }

  @Post('logout')
  async signOut(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    await this.login.signOut(readBullBoardToken(request));
    const { path, secure, sameSite, httpOnly } = bullBoardCookieOptions(this.config);
    return reply
      .clearCookie(BULL_BOARD_COOKIE, { path, secure, sameSite, httpOnly })
      .redirect(`/${BULL_BOARD_PATH}/login`, 303);
  }
}
