import path from 'node:path';
import { z } from 'zod';
import type { TransactionLimits } from '../common/transaction';
import { calendarProblems, confirmationHoursSetting, dayListSetting } from '../modules/calendar/calendar-config';
import { BANK_ACCOUNT_SETTINGS, bankAccountOf, bankAccountProblems, type BankAccount } from '../modules/payments/bank-account-config';
import { SECURITY_SETTINGS } from './security/security-config';
import { SUBSCRIPTION_SETTINGS } from '../modules/subscriptions/subscription-config';
import { RECEIPT_SETTINGS, receiptIssuerOf, type ReceiptIssuer } from '../modules/receipts/receipt-config';

/** The project root, whether running from src/ (Jest, ts-node) or dist/src/ (npm start). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!require('node:fs').existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting comes from the environment and is checked once at start; a bad value stops
 * the process with a message naming the variable (see `loadConfig`).
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  // Time limits per statement in ms, 0 = none (docs/hardening.md "Database time limits").
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(5_000),
  DATABASE_LOCK_TIMEOUT_MS: int(0, 3_600_000).default(3_000),
  SWEEP_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(60_000),
  SWEEP_LOCK_TIMEOUT_MS: int(0, 3_600_000).default(10_000),
  EMBEDDED_PG_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, '.data', 'postgres')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('proxy-buy-gateway'),
  JWT_AUDIENCE: z.string().min(1).default('proxy-buy-clients'),
  JWT_TTL_SECONDS: int(60, 60 * 60 * 24 * 90).default(60 * 60 * 24 * 7),
  DEMO_ACCOUNTS: bool.optional(),
  SERVICE_FEE_PERCENT_BPS: int(0, 10_000).default(500),
  SERVICE_FEE_MINIMUM_JPY: int(0, 1_000_000).default(500),
  FIRST_INVOICE_DUE_DAYS: int(1, 60).default(7),
  // A seller's price rise waits this long for the customer to accept and pay (or decline); then it is declined.
  PRICE_CHANGE_DUE_DAYS: int(1, 30).default(3),
  // An application never quoted is cancelled this long after it was submitted (seed 003).
  QUOTE_DEADLINE_DAYS: int(1, 60).default(7),
  ATTACHMENT_URL_TTL_SECONDS: int(30, 86_400).default(900),
  SWEEP_INTERVAL_SECONDS: int(0, 86_400).default(60),
  // Job workers (outbox, e-mail, sweeps, cleanup) in this process; 0 for a process that only serves requests.
  WORKERS: bool.default(true),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('代行サービス <no-reply@proxy-buy.local>'),
  // Without SMTP_URL each mail is written here as an .eml file (and logged).
  MAIL_DIR: z
    .string()
    .min(1)
    .default(path.join(PROJECT_ROOT, '.data', 'mail'))
    .transform((dir) => path.resolve(dir)),
  MAIL_RETRY_LIMIT: int(0, 20).default(5),
  // First retry after this long, then doubling (pg-boss backoff).
  MAIL_RETRY_DELAY_SECONDS: int(1, 3600).default(30),
  STORAGE_DRIVER: z.enum(['filesystem', 's3']).default('filesystem'),
  STORAGE_DIR: z
    .string()
    .min(1)
    .default(path.join(PROJECT_ROOT, '.data', 'attachments'))
    .transform((dir) => path.resolve(dir)),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  SHUTDOWN_GRACE_MS: int(0, 120_000).default(10_000),
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  PAYPAL_CLIENT_ID: z.string().min(1).optional(),
  PAYPAL_CLIENT_SECRET: z.string().min(1).optional(),
  PAYPAL_WEBHOOK_ID: z.string().min(1).optional(),
  PAYPAL_API_BASE: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).default('https://api-m.sandbox.paypal.com'),
  PAYPAL_TIMEOUT_MS: int(1000, 120_000).default(15_000),
  // A paymentCardComplete that finds the payment being captured by another call waits this long (holding no connection), then answers PAYMENT_IN_PROGRESS.
  CARD_CAPTURE_WAIT_MS: int(0, 60_000).default(10_000),
  CARD_FEE_PERCENT_BPS: int(0, 10_000).default(360),
  CARD_FEE_FIXED_JPY: int(0, 100_000).default(40),
  // Card refunds: the job's retries while PayPal cannot be reached (doubling from the delay), then the minute backstop.
  REFUND_RETRY_LIMIT: int(0, 50).default(10),
  REFUND_RETRY_DELAY_SECONDS: int(1, 3600).default(30),
  CARD_RETURN_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
  // Business calendar (docs/shipping-and-calendar.md): JST dates and hours.
  CALENDAR_EXTRA_CLOSED_DAYS: dayListSetting,
  CALENDAR_EXTRA_OPEN_DAYS: dayListSetting,
  CONFIRMATION_HOURS: confirmationHoursSetting,
  CONFIRMATION_LEAD_HOURS: int(0, 72).default(3),
  // Where customers send bank transfers (振込先); demo account outside production.
  ...BANK_ACCOUNT_SETTINGS,
  // Who issues receipts (領収書): name and qualified-invoice registration number.
  ...RECEIPT_SETTINGS,
  RECEIPT_URL_TTL_SECONDS: int(30, 86_400).default(900),
  // Operation limits, rate limits, body size, proxies (docs/hardening.md).
  ...SECURITY_SETTINGS,
  // Live subscriptions over WebSocket: limits per process, relay lease (docs/subscriptions.md).
  ...SUBSCRIPTION_SETTINGS,
});

export type Config = z.infer<typeof schema> & { jwtSecret: string; publicBaseUrl: string; bankAccount: BankAccount; receiptIssuer: ReceiptIssuer | null };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.JWT_SECRET) {
    throw new ConfigError('Invalid environment:\n  JWT_SECRET: required when NODE_ENV=production');
  }
  if (c.HTTP_HEADERS_TIMEOUT_MS > c.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid environment:\n  HTTP_HEADERS_TIMEOUT_MS: must not be longer than HTTP_REQUEST_TIMEOUT_MS');
  }
  if (c.NODE_ENV !== 'development' && c.DEMO_ACCOUNTS === true) {
    throw new ConfigError(`Invalid environment:\n  DEMO_ACCOUNTS: demo accounts (published passwords) are made only when NODE_ENV=development, not ${c.NODE_ENV}`);
  }
  const storageProblems = s3Problems(c);
  if (storageProblems.length) throw new ConfigError(`Invalid environment:\n${storageProblems.join('\n')}`);
  const calendarIssues = calendarProblems(c);
  if (calendarIssues.length) throw new ConfigError(`Invalid environment:\n${calendarIssues.join('\n')}`);
  const paypalProblems = payPalProblems(c);
  if (paypalProblems.length) throw new ConfigError(`Invalid environment:\n${paypalProblems.join('\n')}`);
  const bankProblems = bankAccountProblems(c);
  if (bankProblems.length) throw new ConfigError(`Invalid environment:\n${bankProblems.join('\n')}`);
  // Without a secret (local use only) tokens are signed with a per-data-folder secret, see main.ts.
  return {
    ...c,
    jwtSecret: c.JWT_SECRET ?? '',
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    bankAccount: bankAccountOf(c),
    receiptIssuer: receiptIssuerOf(c),
  };
}

/** Statement and lock time limits of requests (and of every connection) and of the sweeps. */
export function transactionLimits(c: Config): TransactionLimits {
  return {
    request: { statementMs: c.DATABASE_STATEMENT_TIMEOUT_MS, lockMs: c.DATABASE_LOCK_TIMEOUT_MS },
    sweep: { statementMs: c.SWEEP_STATEMENT_TIMEOUT_MS, lockMs: c.SWEEP_LOCK_TIMEOUT_MS },
  };
}

const PAYPAL_CREDENTIALS = ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET', 'PAYPAL_WEBHOOK_ID'] as const;

/** PayPal needs all three credentials or none (none = the payment simulator, never in production). */
function payPalProblems(c: z.infer<typeof schema>): string[] {
  const missing = PAYPAL_CREDENTIALS.filter((name) => !c[name]);
  if (missing.length === PAYPAL_CREDENTIALS.length) {
    return c.NODE_ENV === 'production'
      ? ['  PAYPAL_CLIENT_ID: required when NODE_ENV=production (with PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID); without them card payments use a simulator that takes no money']
      : [];
  }
  const present = PAYPAL_CREDENTIALS.filter((name) => c[name]);
  const problems = missing.map(
    (name) => `  ${name}: required because ${present.join(' and ')} ${present.length > 1 ? 'are' : 'is'} set (PayPal needs all of ${PAYPAL_CREDENTIALS.join(', ')})`,
  );
  if (c.NODE_ENV === 'production' && !c.PAYPAL_API_BASE.startsWith('https://')) {
    problems.push('  PAYPAL_API_BASE: must be https:// when NODE_ENV=production');
  }
  return problems;
}

/** S3 mode cannot start without a bucket and region, nor with half a key pair. */
function s3Problems(c: z.infer<typeof schema>): string[] {
  if (c.STORAGE_DRIVER !== 's3') return [];
  const problems: string[] = [];
  if (!c.S3_BUCKET) problems.push('  S3_BUCKET: required when STORAGE_DRIVER=s3');
  if (!c.S3_REGION) problems.push('  S3_REGION: required when STORAGE_DRIVER=s3 (any value, e.g. us-east-1, for S3-compatible services)');
  if (!c.S3_ACCESS_KEY_ID !== !c.S3_SECRET_ACCESS_KEY) {
    const missing = c.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID';
    problems.push(`  ${missing}: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together, or neither to use the AWS default credential chain`);
  }
  return problems;
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
