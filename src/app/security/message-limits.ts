import { normalizeOrderNumber } from '../../modules/orders/guest-access';
import type { Context } from '../context';

/**
 * Messages per sender (account, or the guest's order number) + client address, and uploaded
 * files per client address (src/app/rate-limits.ts). Checked before any file is stored; every
 * attempt counts, refused ones included, because each one makes the server read its files.
 */
export async function limitMessageSend(ctx: Context, input: { guest?: { orderNumber: string } | null; files?: unknown[] | null }): Promise<void> {
  const sender = ctx.viewer ? `account:${ctx.viewer.id}` : `guest:${normalizeOrderNumber(input.guest?.orderNumber ?? '')}`;
  await ctx.app.rateLimits.consume('message', `${sender}|${ctx.ip}`, 1, 'Too many messages.');
  const files = input.files?.length ?? 0;
  if (files) await ctx.app.rateLimits.consume('uploadFiles', ctx.ip, files, 'Too many files uploaded from this address.');
}
