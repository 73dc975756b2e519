import { IsEmail, IsNotEmpty, IsOptional, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { NotificationKind } from '../notifications/announcements';
import { DeliveryAddressInput } from '../orders/order.inputs';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Account, Role } from './account.entity';

export const PASSWORD_MIN = 10;

@InputType({ description: 'A new customer account’s details.' })
export class AccountRegisterInput {
  @Field({ description: 'The e-mail address to sign in with; must not have an account yet (EMAIL_TAKEN).' })
  @IsEmail({}, { message: 'Enter a valid e-mail address.' })
  @MaxLength(254)
  email: string;

  @Field({ description: `At least ${PASSWORD_MIN} characters.` })
  @Length(PASSWORD_MIN, 200, { message: `The password needs at least ${PASSWORD_MIN} characters.` })
  password: string;

  @Field({ description: 'Your name, as staff and parcels address you (at most 100 characters).' })
  @IsNotEmpty({ message: 'Enter your name.' })
  @MaxLength(100)
  name: string;

  @Field({ description: 'A Japanese phone number, e.g. 090-1234-5678.' })
  @Matches(/^\+?[\d\s\-()]{9,20}$/, { message: 'Enter a phone number such as 090-1234-5678.' })
  phone: string;
}

@InputType({ description: 'The credentials of an account.' })
export class AccountLoginInput {
  @Field({ description: 'The account’s e-mail address, in any case.' })
  email: string;

  @Field({ description: 'The account’s password.' })
  password: string;
}

@ObjectType({ description: 'The result of signing up or in: a bearer token, or userErrors.' })
export class AuthPayload {
  @Field(() => String, { nullable: true, description: 'Send as `Authorization: Bearer <token>`.' })
  token?: string;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; sign in again after it. Null when refused.' })
  expiresAt?: Date;

  @Field(() => Account, { nullable: true, description: 'The signed-in account; null when refused.' })
  account?: Account;

  @Field(() => [UserError], { description: 'Why the request was refused (e.g. INVALID_CREDENTIALS); empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'Which account gets which role (admin only).' })
export class AccountRoleSetInput {
  @Field(() => ID, { description: 'The account to change.' })
  accountId: string;

  @Field(() => Role, { description: 'Its new role.' })
  role: Role;
}

@ObjectType({ description: 'The changed account, or userErrors.' })
export class AccountPayload {
  @Field(() => Account, { nullable: true, description: 'The account as changed; null when refused.' })
  account?: Account;

  @Field(() => [UserError], { description: 'Why the change was refused; empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'Where to send a password-reset link.' })
export class AccountPasswordResetRequestInput {
  @Field({ description: 'The address of the account; the answer is the same whether or not it has one.' })
  @MaxLength(254)
  email: string;
}

@InputType({ description: 'A new password, with the e-mailed reset token.' })
export class AccountPasswordResetInput {
  @Field({ description: 'The token from the e-mailed link (valid 30 minutes, once).' })
  @MaxLength(200)
  token: string;

  @Field({ description: `At least ${PASSWORD_MIN} characters.` })
  @Length(PASSWORD_MIN, 200, { message: `The password needs at least ${PASSWORD_MIN} characters.` })
  newPassword: string;
}

@InputType({ description: 'Your profile changes; a field left out (or null, except the address) keeps its value.' })
export class AccountUpdateInput {
  @Field(() => String, { nullable: true, description: 'Your new name (at most 100 characters); null keeps it.' })
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

@ObjectType({ description: 'The answer to a password-reset request: the same whether or not the address has an account.' })
export class AccountPasswordResetRequestPayload {
  @Field({ description: 'Always true: if the address has an account, a link is on its way.' })
  accepted: boolean;

  @Field(() => [UserError], { description: 'Why the request was refused (malformed input); empty otherwise.' })
  userErrors: UserError[];
}
