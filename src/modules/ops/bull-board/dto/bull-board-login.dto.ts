import { IsString, Length } from 'class-validator';

/** The login form of Bull Board, posted as application/x-www-form-urlencoded. */
export class BullBoardLoginDto {
  @IsString()
  @Length(1, 254)
  email: string;

  @IsString()
  @Length(1, 128)
  password: string;
}
