import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/**
 * A real SMTP server on a free local port (the smtp-server package) that keeps what it
 * receives. `failNext` refuses that many DATA commands with 451 first (a flaky server).
 */
export async function startSmtpServer() {
  const inbox: ReceivedMail[] = [];
  const state = { failNext: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        if (state.failNext > 0) {
          state.failNext--;
          return callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: 451 }));
        }
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(','), subject: mail.subject ?? '', text: mail.text ?? '', messageId: mail.messageId ?? '' });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    inbox,
    state,
    url: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
