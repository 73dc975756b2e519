import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Money } from '../../common/money';
import { Order } from '../orders/order.entity';
import { ShippingMethod } from '../shipping/shipping-method';
import { Carrier } from './carriers';
import { PackedParcelInput, Shipment } from './warehouse.inputs';

@InputType()
export class InvoiceSecondIssueCombinedInput extends PackedParcelInput {
  @Field(() => [ID], { description: '2 to 10 orders of one customer, all INSPECTING, to the same delivery address.' })
  orderIds: string[];
}

@InputType()
export class OrderShipCombinedInput {
  @Field(() => ID)
  groupId: string;

  @Field(() => Carrier)
  carrier: Carrier;

  @Field()
  trackingNumber: string;
}

@ObjectType({ description: 'One order of a combined shipment and its share of the parcel price.' })
export class ShipmentGroupMember {
  @Field(() => ID)
  orderId: string;

  @Field()
  orderNumber: string;

  @Field(() => Int, { description: 'Units received at the warehouse: the key the parcel price is split by.' })
  receivedUnits: number;

  @Field(() => Money, { description: 'This order’s part of the parcel price (on its second invoice).' })
  shippingShare: Money;
}

@ObjectType('ShipmentGroup', { description: 'Orders of one customer to one address shipped as one parcel; each order keeps its own invoices.' })
export class ShipmentGroupView {
  @Field(() => ID)
  id: string;

  @Field(() => ShippingMethod)
  method: ShippingMethod;

  @Field(() => Money, { description: 'The one parcel’s price by the rate tables; the shares add up to it exactly.' })
  parcelPrice: Money;

  @Field({ description: 'Chargeable weight of the parcel in kg, e.g. "4.5".' })
  chargeableWeightKg: string;

  @Field(() => [String], { description: 'The orders shipped together (this one included).' })
  orderNumbers: string[];

  @Field(() => [ShipmentGroupMember])
  members: ShipmentGroupMember[];

  @Field(() => Shipment, { nullable: true, description: 'Carrier and tracking once the parcel shipped (the same on every order of the group).' })
  shipment: Shipment | null;

  @Field()
  createdAt: Date;
}

@ObjectType()
export class ShipmentGroupPayload {
  @Field(() => ShipmentGroupView, { nullable: true })
  shipmentGroup?: ShipmentGroupView;

  @Field(() => [Order], { nullable: true, description: 'The orders of the group.' })
  orders?: Order[];

  @Field(() => [UserError])
  userErrors: UserError[];
}
