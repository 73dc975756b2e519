import { IsNotEmpty, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Connection } from '../../common/pagination';
import { GraphQLUpload, type FileUploadPromise } from '../attachments/upload.scalar';
import { GuestAccessInput } from '../orders/order.inputs';
import { Message } from './message.entity';

@InputType({ description: 'A message to send in an order’s thread.' })
export class MessageSendInput {
  @Field(() => ID, { description: 'The order whose thread it goes to.' })
  orderId: string;

  @Field({ description: 'The subject (at most 200 characters).' })
  @IsNotEmpty({ message: 'Enter a title.' })
  @MaxLength(200)
  title: string;

  @Field({ description: 'The text (at most 5,000 characters).' })
  @IsNotEmpty({ message: 'Write your message.' })
  @MaxLength(5000)
  body: string;

  @Field(() => ID, { nullable: true, description: 'The item the message is about.' })
  itemId?: string | null;

  @Field({ defaultValue: false, description: 'Ask staff to confirm this with the seller before buying the item (item before payment only).' })
  askSellerBeforePurchase: boolean;

  @Field(() => Date, { nullable: true, description: 'Staff only: the date by which the customer must reply.' })
  replyDeadline?: Date | null;

  @Field(() => [GraphQLUpload], { nullable: true, description: 'Up to 3 files (JPG, PNG, GIF, WEBP, PDF), 10 MB each. Multipart request spec.' })
  files?: FileUploadPromise[] | null;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@InputType({ description: 'The thread whose messages to mark read.' })
export class MessagesMarkReadInput {
  @Field(() => ID, { description: 'The order.' })
  orderId: string;

  @Field(() => GuestAccessInput, { nullable: true, description: 'A guest’s proof of access; null when signed in.' })
  guest?: GuestAccessInput | null;
}

@ObjectType({ description: 'A page of an order’s messages.' })
export class MessageConnection extends Connection(Message) {}

@ObjectType({ description: 'The sent message, or userErrors.' })
export class MessageSendPayload {
  @Field(() => Message, { nullable: true, description: 'The message as stored, with its attachments; null when refused.' })
  message?: Message;

  @Field(() => [UserError], { description: 'Why it was refused (e.g. MESSAGING_CLOSED, a file refusal); empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'How many messages became read, or userErrors.' })
export class MessagesMarkReadPayload {
  @Field(() => Int, { nullable: true, description: 'How many messages became read.' })
  marked?: number;

  @Field(() => [UserError], { description: 'Why it was refused; empty on success.' })
  userErrors: UserError[];
}
