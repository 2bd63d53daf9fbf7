import { ApiProperty } from '@nestjs/swagger';

export class TokenPairResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty() refreshToken: string;
  @ApiProperty({ type: 'integer', description: 'Access token lifetime in seconds' }) expiresIn: number;
}
