import type { Logger } from 'pino';
import type { Config } from '../../../app/config';
import type { CardPaymentProvider } from './card-provider';
import { PayPalCardProvider } from './paypal-client';
import { SimulatorCardProvider } from './simulator-provider';

/**
 * PayPal when its credentials are configured (config refuses half a set), else the simulator,
 * which takes no money and is refused in production by the config check.
 */
export function createCardProvider(config: Config, log: Logger): CardPaymentProvider {
  const { PAYPAL_CLIENT_ID: clientId, PAYPAL_CLIENT_SECRET: clientSecret, PAYPAL_WEBHOOK_ID: webhookId } = config;
  if (clientId && clientSecret && webhookId) {
    log.info({ cardProvider: 'paypal', apiBase: config.PAYPAL_API_BASE }, 'card payments: PayPal');
    return new PayPalCardProvider({
      clientId,
      clientSecret,
      webhookId,
      apiBase: config.PAYPAL_API_BASE,
      timeoutMs: config.PAYPAL_TIMEOUT_MS,
      log: log.child({ component: 'paypal' }),
    });
  }
  log.warn(
    { cardProvider: 'simulator' },
    'card payments: PAYMENT SIMULATOR (no PayPal credentials set) — no real money moves',
  );
  return new SimulatorCardProvider({ baseUrl: config.publicBaseUrl, followListeningPort: !config.PUBLIC_BASE_URL });
}
