import { ApiProperty } from '@nestjs/swagger';

import { UserEntity } from './user.entity';
import { UserRole } from '../access/user-role';

/** What registering answers: the new account, without its profile settings. */
export class RegisteredUserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: UserRole, description: 'always customer for a sign-up' }) role: UserRole;
}

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: UserRole }) role: UserRole;
  @ApiProperty({ enum: ['en', 'pt-BR'] }) language: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function toUserResponse(user: UserEntity): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    language: user.language,
    createdAt: user.createdAt.toISOString(),
  };
}
