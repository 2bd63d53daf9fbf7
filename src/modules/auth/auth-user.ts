import { UserRole } from '../users/user.entity';

/** What the auth guard attaches to `request.user` for an authenticated request. */
export interface AuthUser {
  id: string;
  role: UserRole;
  sessionId: string;
}

export interface AccessTokenClaims {
  sub: string;
  sid: string;
}
