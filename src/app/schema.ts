import { InvoiceFieldsResolver } from '../modules/invoices/invoice-fields.resolver';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLSchema, isEnumType, lexicographicSortSchema, printSchema, printType } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { AccountResolver } from '../modules/accounts/account.resolver';
import { AccountDepositResolver, DepositResolver } from '../modules/deposits/deposit.resolver';
import { OrderFieldsResolver, OrderItemFieldsResolver } from '../modules/orders/order-fields.resolver';
import { OrderResolver } from '../modules/orders/order.resolver';
import { OrderStaffResolver } from '../modules/orders/order-staff.resolver';
import {
  AttachmentFieldsResolver, MessageFieldsResolver, MessageResolver, OrderItemMessagingResolver, OrderMessagingResolver,
} from '../modules/messaging/message.resolver';
import { CalendarResolver } from '../modules/calendar/calendar.resolver';
import { ShippingResolver } from '../modules/shipping/shipping.resolver';
import { PaymentResolver } from '../modules/payments/payment.resolver';
import { DepositTopUpsResolver, InvoicePaymentsResolver, OrderPaymentsResolver, PaymentFieldsResolver } from '../modules/payments/payment-fields.resolver';
import { OrderItemWarehouseResolver, OrderShipmentResolver, WarehouseResolver } from '../modules/warehouse/warehouse.resolver';
import { ItemExchangeResolver, OrderItemExchangeResolver } from '../modules/warehouse/return-request.resolver';
import { CombinedShippingResolver, OrderShipmentGroupResolver } from '../modules/warehouse/combined-shipping.resolver';
import { CancellationRequestFieldsResolver, CancellationResolver, OrderCancellationResolver } from '../modules/cancellations/cancellation.resolver';
import { DeliveryProblemResolver, OrderDeliveryProblemsResolver } from '../modules/delivery-problems/delivery-problem.resolver';
import { OrderTransferEstimateResolver } from '../modules/payments/payment-fields.resolver';
import { AccountNotificationsResolver, NotificationResolver } from '../modules/notifications/notification.resolver';
import { NO_TOPICS, SubscriptionResolver } from '../modules/subscriptions/subscription.resolver';
import { DepositWithdrawalsResolver, OrderWithdrawalsResolver, WithdrawalResolver } from '../modules/withdrawals/withdrawal.resolver';
import { OrderRefundsResolver } from '../modules/refunds/refund.resolver';
import { InvoiceReceiptResolver } from '../modules/receipts/receipt.resolver';
import { OrderPriceChangesResolver, PriceChangeFieldsResolver, PriceChangeResolver } from '../modules/price-changes/price-change.resolver';
import { authChecker } from './auth-checker';
import { PROJECT_ROOT } from './config';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema', 'schema.graphql');

const RESOLVERS = [
  PriceChangeResolver,
  OrderPriceChangesResolver,
  PriceChangeFieldsResolver,
  WithdrawalResolver,
  DepositWithdrawalsResolver,
  OrderWithdrawalsResolver,
  OrderRefundsResolver,
  InvoiceReceiptResolver,
  AccountNotificationsResolver,
  NotificationResolver,
  SubscriptionResolver,
  OrderTransferEstimateResolver,
  CancellationResolver,
  OrderCancellationResolver,
  CancellationRequestFieldsResolver,
  DeliveryProblemResolver,
  OrderDeliveryProblemsResolver,
  WarehouseResolver,
  OrderItemWarehouseResolver,
  OrderShipmentResolver,
  ItemExchangeResolver,
  OrderItemExchangeResolver,
  CombinedShippingResolver,
  OrderShipmentGroupResolver,
  PaymentResolver,
  OrderPaymentsResolver,
  InvoicePaymentsResolver,
  InvoiceFieldsResolver,
  PaymentFieldsResolver,
  DepositTopUpsResolver,
  CalendarResolver,
  ShippingResolver,
  MessageResolver,
  MessageFieldsResolver,
  AttachmentFieldsResolver,
  OrderMessagingResolver,
  OrderItemMessagingResolver,
  OrderResolver,
  OrderStaffResolver,
  OrderFieldsResolver,
  OrderItemFieldsResolver,
  AccountResolver, AccountDepositResolver, DepositResolver] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The executable schema; built once per process (type-graphql metadata is global). */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  useDefaultResolversForPlainFields();
  built ??= buildSchema({
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    authChecker,
    pubSub: NO_TOPICS, // required with subscriptions; ours subscribe through the live hub
    validate: false, // inputs are validated in services, as userErrors (see common/validation.ts)
  }).then(describeRootTypes);
  return built;
}

/** type-graphql has no option for the root types' descriptions; the Playground's docs show them first. */
function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  schema.getQueryType()!.description =
    'Reads. Customers (bearer token from `accountLogin`) see their own orders and account; guests (no token) read one order with its number and phone; ' +
    'staff see every order and their work queues. An order that is missing and one that is someone else’s look the same (null).';
  schema.getMutationType()!.description =
    'One mutation per business action, named object first (`orderCancel`, `invoicePay`). Most take an `input` and answer a payload whose `userErrors` ' +
    'list expected refusals with a stable `code`; a refused mutation changes nothing. Mutations that pay or move deposit money take an `idempotencyKey`: a repeat replays the first result.';
  schema.getSubscriptionType()!.description =
    'Live updates over a WebSocket on the same `/graphql` path (the graphql-ws library’s protocol, or the legacy one GraphQL Playground speaks), ' +
    'sent after each commit, with the same visibility as the queries.';
  return schema;
}

/**
 * Plain data fields (no roles, no middlewares, not renamed) are read by graphql-js's default
 * resolver instead of type-graphql's middleware wrapper. An order detail has ~1,500 of them;
 * the wrapper was a measurable share of its CPU time (docs/benchmarks.md).
 */
function useDefaultResolversForPlainFields(): void {
  for (const field of getMetadataStorage().fields) {
    if (field.simple === undefined && !field.roles?.length && !field.middlewares?.length && field.name === field.schemaName) field.simple = true;
  }
}

/**
 * The SDL as committed in schema/schema.graphql: types, fields and arguments sorted by name, so
 * diffs stay small, but enum values in their declared order — a lifecycle order (SUBMITTED …
 * COMPLETED), which the Playground's docs then show as the order a thing passes through them.
 */
export function printGatewaySchema(schema: GraphQLSchema): string {
  const sorted = lexicographicSortSchema(schema);
  let sdl = printSchema(sorted);
  for (const type of Object.values(sorted.getTypeMap())) {
    if (!isEnumType(type) || type.name.startsWith('__')) continue;
    const alphabetical = printType(type);
    const declared = printType(schema.getType(type.name)!);
    if (!sdl.includes(alphabetical)) throw new Error(`printGatewaySchema: enum ${type.name} not found in the printed SDL`);
    sdl = sdl.replace(alphabetical, () => declared);
  }
  return sdl + '\n';
}

export async function emitSchemaFile(): Promise<string> {
  const sdl = printGatewaySchema(await buildGatewaySchema());
  writeFileSync(SCHEMA_FILE, sdl);
  return SCHEMA_FILE;
}
