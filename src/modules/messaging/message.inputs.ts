import { IsNotEmpty, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Connection } from '../../common/pagination';
import { GraphQLUpload, type FileUploadPromise } from '../attachments/upload.scalar';
import { GuestAccessInput } from '../orders/order.inputs';
import { Message } from './message.entity';

@InputType()
export class MessageSendInput {
  @Field(() => ID)
  orderId: string;

  @Field()
  @IsNotEmpty({ message: 'Enter a title.' })
  @MaxLength(200)
  title: string;

  @Field()
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

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@InputType()
export class MessagesMarkReadInput {
  @Field(() => ID)
  orderId: string;

  @Field(() => GuestAccessInput, { nullable: true })
  guest?: GuestAccessInput | null;
}

@ObjectType()
export class MessageConnection extends Connection(Message) {}

@ObjectType()
export class MessageSendPayload {
  @Field(() => Message, { nullable: true })
  message?: Message;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class MessagesMarkReadPayload {
  @Field(() => Int, { nullable: true, description: 'How many messages became read.' })
  marked?: number;

  @Field(() => [UserError])
  userErrors: UserError[];
}
