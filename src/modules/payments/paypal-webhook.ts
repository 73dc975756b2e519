import express, { Router } from 'express';
import type { App } from '../../app/app';
import { CardProviderError } from './providers/card-provider';

export const PAYPAL_WEBHOOK_PATH = '/webhooks/paypal';

/**
 * PayPal's webhook deliveries. The raw body is kept: the signature covers the exact bytes.
 * Answers: 200 when handled or not of interest (PayPal stops delivering), 400 when the
 * signature is not proven, 503 when PayPal itself could not be asked or the capture could not
 * be made (PayPal delivers again later). Repeated deliveries are harmless: a payment settles
 * only from PENDING, under its lock.
 */
export function payPalWebhookRouter(app: App): Router {
  const router = Router();
  router.post(PAYPAL_WEBHOOK_PATH, express.raw({ type: 'application/json', limit: '256kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    try {
      const verification = await app.cardProvider.verifyWebhook({ headers: req.headers, rawBody });
      if (!verification.verified || !verification.event) {
        req.log?.warn('card webhook with an unproven signature');
        res.status(400).json({ status: 'unverified' });
        return;
      }
      const outcome = await app.payments.cards.handleWebhook(verification.event);
      res.status(200).json({ status: outcome });
    } catch (error) {
      const retry = error instanceof CardProviderError && error.retryable;
      if (retry) req.log?.warn({ err: error }, 'card webhook: provider unavailable, asking for a retry');
      else req.log?.error({ err: error }, 'card webhook failed');
      res.status(retry ? 503 : 500).json({ status: retry ? 'retry later' : 'error' });
    }
  });
  return router;
}
