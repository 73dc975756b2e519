import { readFileSync } from 'node:fs';
import {
  buildSchema as parseSdl, GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { buildGatewaySchema, printGatewaySchema, SCHEMA_FILE } from '../src/app/schema';
import type { TransitionTable } from '../src/common/state-machine';
import { CANCELLATION_REQUEST_TRANSITIONS, CancellationRequestStatus } from '../src/modules/cancellations/cancellation-request.entity';
import { DELIVERY_PROBLEM_TRANSITIONS, DeliveryProblemStatus } from '../src/modules/delivery-problems/delivery-problem.entity';
import { INVOICE_TRANSITIONS, InvoiceStatus } from '../src/modules/invoices/invoice-state';
import { ITEM_TRANSITIONS, ItemStatus, ORDER_TRANSITIONS, OrderStatus } from '../src/modules/orders/order-state';
import { PAYMENT_TRANSITIONS, PaymentStatus } from '../src/modules/payments/payment-state';
import { PRICE_CHANGE_TRANSITIONS, PriceChangeStatus } from '../src/modules/price-changes/price-change-state';
import { REFUND_TRANSITIONS, RefundStatus } from '../src/modules/refunds/refund-state';
import { ITEM_EXCHANGE_TRANSITIONS, ItemExchangeStatus } from '../src/modules/warehouse/return-request-state';
import { WITHDRAWAL_TRANSITIONS, WithdrawalStatus } from '../src/modules/withdrawals/withdrawal-state';

/** Every place of the schema a client developer reads in the Playground's docs that has no description. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing.sort();
}

/** The stateful enums, each with its transition table (or tables: a payment has one per method). */
const LIFECYCLES: Array<[name: string, values: string[], tables: Array<TransitionTable<string>>, backEdges?: string[]]> = [
  ['OrderStatus', Object.values(OrderStatus), [ORDER_TRANSITIONS]],
  ['ItemStatus', Object.values(ItemStatus), [ITEM_TRANSITIONS]],
  ['InvoiceStatus', Object.values(InvoiceStatus), [INVOICE_TRANSITIONS]],
  // A declined or unreachable capture goes back to PENDING: the one step back in any lifecycle.
  ['PaymentStatus', Object.values(PaymentStatus), Object.values(PAYMENT_TRANSITIONS), ['CAPTURING->PENDING']],
  ['RefundStatus', Object.values(RefundStatus), [REFUND_TRANSITIONS]],
  ['WithdrawalStatus', Object.values(WithdrawalStatus), [WITHDRAWAL_TRANSITIONS]],
  ['ItemExchangeStatus', Object.values(ItemExchangeStatus), [ITEM_EXCHANGE_TRANSITIONS]],
  ['CancellationRequestStatus', Object.values(CancellationRequestStatus), [CANCELLATION_REQUEST_TRANSITIONS]],
  ['DeliveryProblemStatus', Object.values(DeliveryProblemStatus), [DELIVERY_PROBLEM_TRANSITIONS]],
  ['PriceChangeStatus', Object.values(PriceChangeStatus), [PRICE_CHANGE_TRANSITIONS]],
];

describe('the schema documents itself (Playground docs)', () => {
  let schema: GraphQLSchema;
  let committed: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildGatewaySchema();
    committed = parseSdl(readFileSync(SCHEMA_FILE, 'utf8'));
  });

  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('has them in schema/schema.graphql too (run `npm run schema:emit`)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printGatewaySchema(schema));
    expect(undescribed(committed)).toEqual([]);
  });

  it.each(LIFECYCLES.map(([name, values, tables, backEdges]) => ({ name, values, tables, backEdges })))(
    'lists $name in lifecycle order, as declared, in schema/schema.graphql',
    ({ name, values, tables, backEdges = [] }) => {
      const type = committed.getType(name);
      if (!isEnumType(type)) throw new Error(`${name} is not an enum of the schema`);
      expect(type.getValues().map((v) => v.name)).toEqual(values);
      // Lifecycle order: every transition goes to a value listed later (the first is where a thing starts).
      const backwards = tables
        .flatMap((table) => Object.entries(table).flatMap(([from, tos]) => tos.map((to) => [from, to] as const)))
        .filter(([from, to]) => values.indexOf(to) <= values.indexOf(from))
        .map(([from, to]) => `${from}->${to}`)
        .filter((edge) => !backEdges.includes(edge));
      expect([...new Set(backwards)]).toEqual([]);
    },
  );
});
