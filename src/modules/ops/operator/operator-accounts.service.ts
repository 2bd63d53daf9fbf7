import { Injectable } from '@nestjs/common';

import { UserResponse, toUserResponse } from '../../users/user.response';
import { Registration, UsersService } from '../../users/users.service';
import { OpsAuditRepository } from './ops-audit.repository';

/**
 * Admin accounts made by an operator (`dispatch admin:create`): registration makes only customers and the
 * demo seed is refused in production, so this is how the first production admin comes to exist. The user
 * and its audit row are written in one transaction.
 */
@Injectable()
export class OperatorAccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly audit: OpsAuditRepository,
  ) {}

  /** The input must already satisfy the registration rules (RegisterDto); a taken email is EmailTakenError. */
  async createAdmin(operator: string, input: Registration, reason: string): Promise<UserResponse> {
    const user = await this.users.createAdmin(input, (em, created) =>
      this.audit.insert(em, {
        actor: operator,
        action: 'user.admin_created',
        target: `user/${created.id}`,
        reason,
        details: { email: created.email },
      }),
    );
    return toUserResponse(user);
  }
}
