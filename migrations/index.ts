import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Every migration in this folder, oldest first. Discovered rather than listed so that a
 * generated migration cannot be forgotten; works from .ts (Jest, ts-node) and .js (dist).
 */
export const MIGRATIONS: Function[] = readdirSync(__dirname)
  .filter((f) => /^\d+-[\w-]+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
  .sort()
  .map((f) => {
    const mod = require(path.join(__dirname, f)) as Record<string, Function>;
    return Object.values(mod).find((v) => typeof v === 'function')!;
  });
