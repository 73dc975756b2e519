import { Field, ObjectType } from 'type-graphql';
import { Column } from 'typeorm';

@ObjectType({ description: 'A Japanese delivery address.' })
export class DeliveryAddress {
  @Field({ description: 'Who receives the parcel.' })
  @Column({ type: 'varchar', length: 100 })
  recipient: string;

  @Field({ description: 'NNN-NNNN' })
  @Column({ name: 'postal_code', type: 'varchar', length: 8 })
  postalCode: string;

  @Field({ description: 'One of the 47 prefectures, e.g. 東京都.' })
  @Column({ type: 'varchar', length: 10 })
  prefecture: string;

  @Field({ description: 'City, ward, town or village.' })
  @Column({ type: 'varchar', length: 100 })
  city: string;

  @Field({ description: 'Street address: district, block and number.' })
  @Column({ type: 'varchar', length: 200 })
  line1: string;

  @Field(() => String, { nullable: true, description: 'Building and room, if any.' })
  @Column({ type: 'varchar', length: 200, nullable: true })
  line2: string | null;

  @Field({ description: 'Digits only, domestic form.' })
  @Column({ type: 'varchar', length: 20 })
  phone: string;
}
