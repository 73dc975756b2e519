import { DeliveryAddress } from '../orders/delivery-address';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export enum Role {
  CUSTOMER = 'CUSTOMER', // orders for themselves; sees only their own orders
  STAFF = 'STAFF', // runs the operation: every order, quotes, purchases, shipping
  ADMIN = 'ADMIN', // staff, plus managing staff accounts
}
registerEnumType(Role, {
  name: 'Role',
  description: 'What an account may do.',
  valuesConfig: {
    CUSTOMER: { description: 'Orders for themselves; sees only their own orders. Every new sign-up.' },
    STAFF: { description: 'Runs the operation: every order, quotes, purchases, inspection, shipping, payments.' },
    ADMIN: { description: 'Staff, plus managing accounts’ roles (`accountRoleSet`).' },
  },
});

@ObjectType({ description: 'A signed-in customer or staff member.' })
@Entity('account')
@Index('account_email_key', ['email'], { unique: true })
export class Account {
  @Field(() => ID, { description: 'The account’s id.' })
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Stored lower-cased; sign-in ignores case.' })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Field({ description: 'The name given at sign-up (or changed with `accountUpdate`); staff see it on orders.' })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Field({ description: 'The account’s phone number (given at sign-up or with `accountUpdate`), for staff to reach the customer.' })
  @Column({ type: 'varchar', length: 20 })
  phone: string;

  @Field(() => Role, { description: 'What the account may do: CUSTOMER, STAFF or ADMIN.' })
  @Column({ type: 'enum', enum: Role, enumName: 'account_role', default: Role.CUSTOMER })
  role: Role;

  @Field({ description: 'When the account was registered.' })
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Tokens issued before this (a password reset) no longer sign in. */
  @Column({ name: 'credentials_changed_at', type: 'timestamptz', nullable: true })
  credentialsChangedAt: Date | null;

  /** Offered when the customer submits an order (`accountUpdate`). */
  @Field(() => DeliveryAddress, { nullable: true, description: 'Your usual delivery address, offered when you order.' })
  @Column({ name: 'default_delivery_address', type: 'jsonb', nullable: true })
  defaultDeliveryAddress: DeliveryAddress | null;

  /** Notification preferences: `mailOff` lists the NotificationKinds not sent by e-mail. */
  @Column({ name: 'notification_settings', type: 'jsonb', default: () => "'{}'" })
  notificationSettings: { mailOff?: string[] };
}
