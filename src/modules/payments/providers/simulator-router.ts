import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type Express, type Response } from 'express';
import type { CardPaymentProvider } from './card-provider';
import { SIMULATOR_PATH, SimulatorCardProvider, type SimulatedOrder } from './simulator-provider';

/**
 * The simulator's stand-in for PayPal's approval page. Built only from a SimulatorCardProvider,
 * so a gateway configured for PayPal has no such page at all.
 */
export function simulatorRouter(provider: SimulatorCardProvider): Router {
  const router = Router();

  router.get(`${SIMULATOR_PATH}/approve`, (req, res) => {
    const order = provider.find(String(req.query.order ?? ''));
    if (!order) return page(res, 404, '<p>No such order in the simulator (it forgets orders on restart).</p>');
    page(res, 200, approvalForm(order));
  });

  router.post(`${SIMULATOR_PATH}/approve`, express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
    const orderId = String(req.body?.order ?? '');
    const order = provider.find(orderId);
    if (!order) return page(res, 404, '<p>No such order in the simulator.</p>');
    // Like PayPal, the buyer comes back with ?token=<order id> (and PayerID once approved).
    if (req.body?.action === 'approve') {
      provider.approve(orderId);
      return res.redirect(303, withParams(order.returnUrl, { token: orderId, PayerID: 'SIMULATEDPAYER' }));
    }
    res.redirect(303, withParams(order.cancelUrl, { token: orderId }));
  });

  return router;
}

/**
 * Mounts the simulator pages when the simulator is the card provider (else does nothing). With
 * no PUBLIC_BASE_URL, approval links follow the port actually listened on (PORT=0 in tests).
 */
export function mountCardSimulator(http: Express, server: Server, provider: CardPaymentProvider): void {
  if (!(provider instanceof SimulatorCardProvider)) return;
  http.use(simulatorRouter(provider));
  if (provider.followListeningPort) {
    server.once('listening', () => provider.setBaseUrl(`http://localhost:${(server.address() as AddressInfo).port}`));
  }
}

function approvalForm(order: SimulatedOrder): string {
  const amount = `¥${order.amountJpy.toLocaleString('ja-JP')}`;
  const state = order.capture
    ? '<p class="note">This payment was already captured.</p>'
    : `<form method="post" action="approve">
  <input type="hidden" name="order" value="${escapeHtml(order.id)}">
  <button name="action" value="approve">Approve</button>
  <button name="action" value="cancel" class="secondary">Cancel</button>
</form>`;
  return `<h1>Approve this payment?</h1>
<dl>
  <dt>Amount</dt><dd class="amount">${escapeHtml(amount)} (JPY)</dd>
  <dt>For</dt><dd>${escapeHtml(order.description)}</dd>
  <dt>Simulated order</dt><dd><code>${escapeHtml(order.id)}</code></dd>
</dl>
${state}`;
}

function page(res: Response, status: number, content: string) {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'cache-control': 'no-store',
    })
    .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PAYMENT SIMULATOR — no real money</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
.banner{background:#b00020;color:#fff;font-weight:700;padding:.75rem;text-align:center;letter-spacing:.05em}
.amount{font-size:1.5rem;font-weight:700} dt{color:#555} dd{margin:0 0 .75rem}
button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.5rem} .secondary{background:#eee}
</style></head>
<body><div class="banner" role="alert">PAYMENT SIMULATOR — no real money</div>
${content}
</body></html>`);
}

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return target.toString();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
