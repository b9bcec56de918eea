// What the workers send, received for real: an SMTP server (smtp-server) and a
// webhook endpoint (node:http), each keeping every arrival, duplicates
// included, so a test can count them.
import http from 'node:http';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhookSignature } from '../lib/webhooks/signature';
import type { WebhookBody } from '../lib/webhooks/deliver';

export interface ReceivedMail {
  to: string;
  /** The outbox message's id (X-Countersign-Message): one per recipient and event. */
  messageId: string;
  /** The EVENT message it came from (X-Countersign-Event). */
  eventId: string;
  subject: string;
}

/** An SMTP server on 127.0.0.1:`port` that keeps every mail, one entry per recipient. */
export async function startSmtpReceiver(port: number) {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const head =
          Buffer.concat(chunks)
            .toString('utf8')
            .split(/\r?\n\r?\n/)[0] ?? '';
        const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
        for (const rcpt of session.envelope.rcptTo) {
          mails.push({
            to: rcpt.address,
            messageId: header('X-Countersign-Message'),
            eventId: header('X-Countersign-Event'),
            subject: header('Subject'),
          });
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedDelivery {
  /** Countersign-Delivery: the outbox message id, the same on every attempt. */
  deliveryId: string;
  body: WebhookBody;
  signed: boolean;
}

/** A webhook endpoint on a free loopback port; `secret` is set once the webhook exists, to check signatures. */
export async function startWebhookReceiver() {
  const deliveries: ReceivedDelivery[] = [];
  let secret = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        deliveries.push({
          deliveryId: String(request.headers['countersign-delivery'] ?? ''),
          body: JSON.parse(raw) as WebhookBody,
          signed: verifyWebhookSignature(
            secret,
            String(request.headers['countersign-timestamp'] ?? ''),
            raw,
            request.headers['countersign-signature'] as string | undefined,
          ),
        });
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/countersign`,
    deliveries,
    useSecret: (value: string) => (secret = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The workers' fetch keeps connections alive: end them, or close waits for them to idle out.
        server.closeAllConnections();
      }),
  };
}
