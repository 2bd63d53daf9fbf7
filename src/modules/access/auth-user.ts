import { UserRole } from './user-role';

/** What the auth guard attaches to `request.user` for an authenticated request. */
export interface AuthUser {
  id: string;
  role: UserRole;
  sessionId: string;
}
