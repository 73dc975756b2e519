import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from '../orders/order.entity';

/** The customer's receipt report (商品受取の報告); its comment may be published. */
@Entity('arrival_report')
@Index('arrival_report_published_idx', ['published', 'reportedAt'])
export class ArrivalReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid', unique: true })
  orderId: string;

  @OneToOne(() => Order, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'arrival_report_order_fk' })
  order?: Order;

  @Column({ type: 'varchar', length: 300, nullable: true })
  comment: string | null;

  /** The customer agreed to show the comment publicly (date and text only). */
  @Column({ type: 'boolean', default: false })
  published: boolean;

  @Column({ name: 'reported_at', type: 'timestamptz' })
  reportedAt: Date;
}

@ObjectType({ description: 'A published receipt comment: date and text only, nothing that identifies the customer.' })
export class PublicArrivalReport {
  @Field({ description: 'When the customer reported receipt.' })
  reportedAt: Date;

  @Field({ description: 'The customer’s comment, as published.' })
  comment: string;
}
