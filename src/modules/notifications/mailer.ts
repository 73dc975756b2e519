import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface MailToSend {
  to: string;
  subject: string;
  text: string;
  /** Stable per mail, so a retry after an unknown outcome is recognisable as the same message. */
  messageId: string;
}

/** Where mails go: an SMTP server (SMTP_URL), or .eml files for a newcomer's machine. */
export interface Mailer {
  send(mail: MailToSend): Promise<void>;
  close(): void;
}

export function createMailer(options: { smtpUrl?: string; from: string; dir: string; log: Logger }): Mailer {
  const message = (mail: MailToSend) => ({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport(options.smtpUrl);
    return {
      async send(mail) {
        await transport.sendMail(message(mail));
      },
      close: () => transport.close(),
    };
  }
  // The same MIME message nodemailer would hand to SMTP, written to disk.
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = await transport.sendMail(message(mail));
      await mkdir(options.dir, { recursive: true });
      const file = path.join(options.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^\w.-]/g, '')}.eml`);
      await writeFile(file, info.message as Buffer);
      options.log.info({ to: mail.to, subject: mail.subject, file }, 'mail written (no SMTP_URL)');
    },
    close: () => transport.close(),
  };
}
