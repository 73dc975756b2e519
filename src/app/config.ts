import path from 'node:path';
import { z } from 'zod';

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
  SHUTDOWN_GRACE_MS: int(0, 120_000).default(10_000),
});

export type Config = z.infer<typeof schema> & { jwtSecret: string };

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
  // Without a secret (local use only) tokens are signed with a per-data-folder secret, see main.ts.
  return { ...c, jwtSecret: c.JWT_SECRET ?? '' };
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}
