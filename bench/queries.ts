/**
 * The operations the benchmarks measure and the N+1 tests count: what a customer's app asks
 * for on the order detail screen and the order list (API.md, "The order, as clients render it").
 */

const MONEY = '{ amount currency }';
const ATTACHMENT = '{ id filename contentType byteSize url }';
const INVOICE = `{ id kind status revision exchangeRate issuedAt dueAt paidAt total ${MONEY} amountPaid ${MONEY} amountRefunded ${MONEY} amountDue ${MONEY}
  lines { kind description itemId quantity amount ${MONEY} sourceAmount ${MONEY} }
  payments { id method status amount ${MONEY} fee ${MONEY} } }`;
const MESSAGE = `id itemId title body askSellerBeforePurchase answeredAt replyDeadline readAt createdAt author { side name } attachments ${ATTACHMENT}`;

export const ORDER_DETAIL_FIELDS = `id orderNumber status shippingPriority contactEmail cancelReason submittedAt quotedAt firstPaidAt purchasedAt arrivedAt
  secondInvoicedAt secondPaidAt shippedAt completedAt cancelledAt
  deliveryAddress { recipient postalCode prefecture city line1 line2 phone }
  items { id productUrl title options quantity note status purchasedQuantity unitPrice ${MONEY} chinaShipping ${MONEY}
    availableActions hasOpenSellerQuestion sellerQuestions { ${MESSAGE} }
    inspection { receivedQuantity shortfall note inspectedAt photos ${ATTACHMENT} } }
  firstInvoice ${INVOICE}
  secondInvoice ${INVOICE}
  payments { id method status amount ${MONEY} fee ${MONEY} total ${MONEY} createdAt settledAt }
  shipment { carrier carrierName trackingNumber trackingUrl shippedAt }
  availableActions unreadMessageCount messagingOpenUntil replyDeadline
  events(first: 100) { nodes { id itemId type actorRole actorName fromState toState createdAt } pageInfo { hasNextPage endCursor } }
  messages(first: 100) { nodes { ${MESSAGE} } pageInfo { hasNextPage endCursor } }`;

/** The order detail screen: everything about one order. */
export const ORDER_DETAIL = `query OrderDetail($id: ID!) { order(id: $id) { ${ORDER_DETAIL_FIELDS} } }`;

/** The order list screen: a page of the customer's orders with what each row shows. */
export const ORDER_LIST = `query OrderList($first: Int!, $after: String) { orders(first: $first, after: $after) {
  nodes { id orderNumber status submittedAt shippingPriority availableActions unreadMessageCount replyDeadline messagingOpenUntil
    items { id title quantity status unitPrice ${MONEY} }
    firstInvoice { id status total ${MONEY} amountDue ${MONEY} }
    secondInvoice { id status total ${MONEY} amountDue ${MONEY} }
    shipment { carrier trackingNumber } }
  pageInfo { hasNextPage endCursor } } }`;

/** The list with every order's full detail: no field may load per order (tests only). */
export const ORDER_LIST_DETAILED = `query OrderListDetailed($first: Int!) { orders(first: $first) { nodes { ${ORDER_DETAIL_FIELDS} } } }`;

export const QUANTITY_CHANGE = `mutation QuantityChange($input: OrderItemQuantityChangeInput!) { orderItemQuantityChange(input: $input) {
  item { id quantity status } order { id firstInvoice { total ${MONEY} revision } } userErrors { code message } } }`;

// --- What the throughput benchmarks send, to the gateway and to the hand-written ceiling alike ---

const BENCH_INVOICE = `{ id kind status total ${MONEY} amountPaid ${MONEY} amountDue ${MONEY} lines { kind description itemId quantity amount ${MONEY} } }`;

/** The order detail screen as the benchmark reads it: items, both invoices, 50 messages with their files. */
export const BENCH_DETAIL = `query BenchOrderDetail($id: ID!) { order(id: $id) {
  id orderNumber status shippingPriority submittedAt quotedAt
  deliveryAddress { recipient postalCode prefecture city line1 line2 phone }
  items { id title options quantity status unitPrice ${MONEY} chinaShipping ${MONEY} }
  firstInvoice ${BENCH_INVOICE}
  secondInvoice ${BENCH_INVOICE}
  unreadMessageCount
  messages(first: 50) { nodes { id title body createdAt readAt author { side name } attachments { id filename contentType byteSize url } } pageInfo { hasNextPage endCursor } } } }`;

/** The order list screen as the benchmark reads it: 50 orders with their items and first invoice. */
export const BENCH_LIST = `query BenchOrderList($first: Int!) { orders(first: $first) {
  nodes { id orderNumber status submittedAt unreadMessageCount
    items { id title quantity status unitPrice ${MONEY} }
    firstInvoice { id status total ${MONEY} amountDue ${MONEY} } }
  pageInfo { hasNextPage endCursor } } }`;

// --- Staff screens (the growth benchmark and the query-plan tests) ---

/** The staff order list: all orders newest first, a status group, a search, or a queue (oldest first). */
export const STAFF_ORDER_LIST = `query StaffOrderList($first: Int!, $after: String, $filter: OrdersFilter) { orders(first: $first, after: $after, filter: $filter) {
  nodes { id orderNumber status submittedAt contactEmail shippingPriority availableActions unreadMessageCount replyDeadline
    items { id title quantity status }
    firstInvoice { id status total ${MONEY} amountDue ${MONEY} }
    secondInvoice { id status amountDue ${MONEY} } }
  pageInfo { hasNextPage endCursor } } }`;

/** The staff report of cancellations per reason over a period. */
export const CANCELLATION_COUNTS = `query CancellationCounts($from: DateTimeISO!, $to: DateTimeISO!) { cancellationCounts(from: $from, to: $to) { reason count } }`;
