import { Injectable, Logger } from '@nestjs/common';

import { AuthService } from '../../auth/auth.service';
import { InvalidCredentialsError } from '../../auth/auth.errors';
import { UserRole } from '../../access/user-role';
import { UsersService } from '../../users/users.service';

export type BullBoardSignIn =
  { status: 'signed-in'; accessToken: string } | { status: 'invalid-credentials' } | { status: 'not-admin' };

/** Turns the Bull Board login form into a normal auth session, for admins only. */
@Injectable()
export class BullBoardLoginService {
  private readonly logger = new Logger(BullBoardLoginService.name);

  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Checks the credentials and the role first, so a customer gets no session at all, then logs in like
   * `POST /v1/auth/login` (a session the API's logout and password change also end). Only the access token
   * is used: when it expires the operator signs in again.
   */
  async signIn(email: string, password: string): Promise<BullBoardSignIn> {
    const user = await this.users.verifyCredentials(email, password);
    if (!user) return { status: 'invalid-credentials' };
    if (user.role !== UserRole.Admin) {
      this.logger.warn({ userId: user.id }, 'bull board login refused: not an admin');
      return { status: 'not-admin' };
    }
    try {
      const { accessToken } = await this.auth.login(email, password);
      this.logger.log({ userId: user.id }, 'bull board login');
      return { status: 'signed-in', accessToken };
    } catch (error) {
      // The password changed between the two checks.
      if (error instanceof InvalidCredentialsError) return { status: 'invalid-credentials' };
      throw error;
    }
  }

  /** Ends the session of the cookie's token, when it is still live. */
  async signOut(accessToken: string | undefined): Promise<void> {
    if (!accessToken) return;
    const user = await this.auth.authenticate(accessToken).catch(() => undefined);
    if (user) await this.auth.logout(user);
  }
}
