import { IsEmail, IsNotEmpty, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { NotificationKind } from '../notifications/announcements';
import { DeliveryAddressInput } from '../orders/order.inputs';
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

@InputType()
export class AccountPasswordResetRequestInput {
  @Field({ description: 'The address of the account; the answer is the same whether or not it has one.' })
  @MaxLength(254)
  email: string;
}

@InputType()
export class AccountPasswordResetInput {
  @Field({ description: 'The token from the e-mailed link (valid 30 minutes, once).' })
  @MaxLength(200)
  token: string;

  @Field({ description: `At least ${PASSWORD_MIN} characters.` })
  @Length(PASSWORD_MIN, 200, { message: `The password needs at least ${PASSWORD_MIN} characters.` })
  newPassword: string;
}

@InputType()
export class AccountUpdateInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'A Japanese phone number, e.g. 090-1234-5678.' })
  phone?: string | null;

  @Field(() => DeliveryAddressInput, { nullable: true, description: 'Your usual delivery address; null clears it.' })
  @IsOptional()
  @ValidateNested()
  defaultDeliveryAddress?: DeliveryAddressInput | null;

  @Field(() => [NotificationKind], { nullable: true, description: 'The kinds of notification NOT to receive by e-mail (they still appear in the app); replaces the list.' })
  emailOff?: NotificationKind[] | null;
}

@ObjectType()
export class AccountPasswordResetRequestPayload {
  @Field({ description: 'Always true: if the address has an account, a link is on its way.' })
  accepted: boolean;

  @Field(() => [UserError])
  userErrors: UserError[];
}
