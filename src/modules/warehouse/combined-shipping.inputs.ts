import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../common/errors';
import { Money } from '../../common/money';
import { Order } from '../orders/order.entity';
import { ShippingMethod } from '../shipping/shipping-method';
import { Carrier } from './carriers';
import { PackedParcelInput, Shipment } from './warehouse.inputs';

@InputType({ description: 'Staff: one packed parcel for several orders, to bill its international shipping split between them.' })
export class InvoiceSecondIssueCombinedInput extends PackedParcelInput {
  @Field(() => [ID], { description: '2 to 10 orders of one customer, all INSPECTING, to the same delivery address.' })
  orderIds: string[];
}

@InputType({ description: 'Staff: a combined parcel handed to the carrier.' })
export class OrderShipCombinedInput {
  @Field(() => ID, { description: 'The shipment group.' })
  groupId: string;

  @Field(() => Carrier, { description: 'Who carries it.' })
  carrier: Carrier;

  @Field({ description: 'The carrier’s tracking number (checked against the carrier’s format).' })
  trackingNumber: string;
}

@ObjectType({ description: 'One order of a combined shipment and its share of the parcel price.' })
export class ShipmentGroupMember {
  @Field(() => ID, { description: 'The order’s id.' })
  orderId: string;

  @Field({ description: 'The order’s number.' })
  orderNumber: string;

  @Field(() => Int, { description: 'Units received at the warehouse: the key the parcel price is split by.' })
  receivedUnits: number;

  @Field(() => Money, { description: 'This order’s part of the parcel price (on its second invoice).' })
  shippingShare: Money;
}

@ObjectType('ShipmentGroup', { description: 'Orders of one customer to one address shipped as one parcel; each order keeps its own invoices.' })
export class ShipmentGroupView {
  @Field(() => ID, { description: 'The group’s id.' })
  id: string;

  @Field(() => ShippingMethod, { description: 'The shipping method of the parcel.' })
  method: ShippingMethod;

  @Field(() => Money, { description: 'The one parcel’s price by the rate tables; the shares add up to it exactly.' })
  parcelPrice: Money;

  @Field({ description: 'Chargeable weight of the parcel in kg, e.g. "4.5".' })
  chargeableWeightKg: string;

  @Field(() => [String], { description: 'The orders shipped together (this one included).' })
  orderNumbers: string[];

  @Field(() => [ShipmentGroupMember], { description: 'Each order of the group with its share of the price.' })
  members: ShipmentGroupMember[];

  @Field(() => Shipment, { nullable: true, description: 'Carrier and tracking once the parcel shipped (the same on every order of the group).' })
  shipment: Shipment | null;

  @Field({ description: 'When staff grouped the orders (the second invoices were issued).' })
  createdAt: Date;
}

@ObjectType({ description: 'The shipment group and its orders, or userErrors.' })
export class ShipmentGroupPayload {
  @Field(() => ShipmentGroupView, { nullable: true, description: 'The group after the change; null when refused.' })
  shipmentGroup?: ShipmentGroupView;

  @Field(() => [Order], { nullable: true, description: 'The orders of the group.' })
  orders?: Order[];

  @Field(() => [UserError], { description: 'Why the action was refused; empty on success.' })
  userErrors: UserError[];
}
