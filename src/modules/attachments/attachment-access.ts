import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { App } from '../../app/app';
import { isStaff } from '../../app/auth-checker';
import { isUuid } from '../../common/ids';
import { Order } from '../orders/order.entity';
import { Attachment } from './attachment.entity';
import { attachmentResponseHeaders } from './content-disposition';

/**
 * Attachment links are short-lived signed URLs, minted only for a viewer who may see the
 * order, so `<img src>` works without headers. Without a valid signature the endpoint wants a
 * bearer token of someone who may see the order. Anything else — expired, forged, another
 * customer's file — is 404, the same as a file that does not exist.
 */
export class AttachmentLinks {
  private readonly key: Buffer;
  constructor(private readonly app: App, secret: string, private readonly ttlSeconds: number) {
    this.key = createHash('sha256').update(`attachment-links:${secret}`).digest();
  }

  url(origin: string, attachmentId: string): string {
    const exp = Math.floor(this.app.clock.now().getTime() / 1000) + this.ttlSeconds;
    return `${origin}/attachments/${attachmentId}?exp=${exp}&sig=${this.sign(attachmentId, exp)}`;
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${id}.${exp}`).digest('base64url');
  }

  private validSignature(id: string, exp: unknown, sig: unknown): boolean {
    if (typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) return false;
    if (Number(exp) * 1000 < this.app.clock.now().getTime()) return false;
    const expected = Buffer.from(this.sign(id, Number(exp)));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  router(): Router {
    const router = Router();
    router.get('/attachments/:id', async (req, res, next) => {
      try {
        const id = req.params.id;
        const attachment = isUuid(id) ? await this.app.ds.getRepository(Attachment).findOneBy({ id }) : null;
        if (!attachment || !(this.validSignature(id, req.query.exp, req.query.sig) || (await this.viewerMaySee(req.headers.authorization, attachment)))) {
          res.status(404).json({ errors: [{ message: 'No such file.', extensions: { code: 'NOT_FOUND' } }] });
          return;
        }
        const body = await this.app.storage.get(attachment.storageKey);
        res.set({ ...attachmentResponseHeaders(attachment), 'Cache-Control': 'private, max-age=300' });
        body.on('error', (error) => {
          req.log?.error({ err: error, attachmentId: id }, 'attachment read failed');
          res.destroy(error);
        });
        body.pipe(res);
      } catch (error) {
        next(error);
      }
    });
    return router;
  }

  private async viewerMaySee(header: string | undefined, attachment: Attachment): Promise<boolean> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const viewer = token ? await this.app.accounts.fromToken(token) : null;
    if (!viewer) return false;
    if (isStaff(viewer)) return true;
    return this.app.ds.getRepository(Order).exists({ where: { id: attachment.orderId, customerId: viewer.id } });
  }
}
