import { IsEmail, IsNotEmpty, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Account, Role } from './account.entity';

export const PASSWORD_MIN = 10;

@InputType()
export class AccountRegisterInput {
  @Field()
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(254)
  email: string;

  @Field({ description: `At least ${PASSWORD_MIN} characters.` })
  @Length(PASSWORD_MIN, 200, { message: `The password needs at least ${PASSWORD_MIN} characters.` })
  password: string;

  @Field()
  @IsNotEmpty({ message: 'Enter your name.' })
  @MaxLength(100)
  name: string;

  @Field({ description: 'A Japanese phone number, e.g. 090-1234-5678.' })
  @Matches(/^\+?[\d\s\-()]{9,20}$/, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType()
export class AccountLoginInput {
  @Field()
  email: string;

  @Field()
  password: string;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { nullable: true, description: 'Send as `Authorization: Bearer <token>`.' })
  token?: string;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;

  @Field(() => Account, { nullable: true })
  account?: Account;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType()
export class AccountRoleSetInput {
  @Field(() => ID)
  accountId: string;

  @Field(() => Role)
  role: Role;
}

@ObjectType()
export class AccountPayload {
  @Field(() => Account, { nullable: true })
  account?: Account;

  @Field(() => [UserError])
  userErrors: UserError[];
}
