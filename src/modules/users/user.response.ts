import { ApiProperty } from '@nestjs/swagger';

import { UserEntity } from './user.entity';
import { UserRole } from '../access/user-role';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: UserRole }) role: UserRole;
  @ApiProperty({ enum: ['en', 'pt-BR'] }) language: string;
  @ApiProperty() createdAt: string;
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
