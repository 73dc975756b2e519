import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { cleanUp } from '../src/jobs/cleanup.job';
import { newStorageKey } from '../src/modules/attachments/upload-intake';
import { startTestGateway, type TestGateway } from './support/gateway';
import { customer, submitOrder, type Actor } from './support/builders';
import { png } from './support/files';

/**
 * Issue 12: what a crash between storing files and the commit leaves behind (bytes with no
 * row), and what time leaves (old idempotency keys), is removed by the cleanup job — and
 * nothing a row still names.
 */
let gw: TestGateway;
let alice: Actor;
beforeAll(async () => {
  gw = await startTestGateway();
  alice = await customer(gw);
});
afterAll(() => gw.close());

const SEND = `mutation($input: MessageSendInput!) { messageSend(input: $input) { message { id attachments { url } } userErrors { code } } }`;
const age = async (key: string, days: number) => {
  const when = new Date(Date.now() - days * 86_400_000);
  await utimes(path.join(gw.storageDir, ...key.split('/')), when, when);
};

it('removes stored files no row names once a day old, keeps attached ones, and leaves fresh ones to their upload', async () => {
  const order = await submitOrder(gw, alice);
  const sent = await gw.upload(SEND, { input: { orderId: order.id, title: '写真', body: 'b', files: [null] } }, [{ path: 'input.files.0', name: 'a.png', type: 'image/png', bytes: png() }], { token: alice.token });
  expect(sent.data.messageSend.userErrors).toEqual([]);
  const [attached] = await gw.app.ds.query(`SELECT storage_key FROM attachment WHERE message_id = $1`, [sent.data.messageSend.message.id]);

  // What a process killed between storing and committing leaves: bytes, no row.
  const orphans = [newStorageKey(), newStorageKey()];
  for (const key of orphans) await gw.app.storage.put(key, Readable.from(png()), 'image/png');
  const fresh = newStorageKey();
  await gw.app.storage.put(fresh, Readable.from(png()), 'image/png');
  for (const key of [...orphans, attached.storage_key]) await age(key, 2);
  const exists = async () => Promise.all([...orphans, fresh, attached.storage_key].map((k) => gw.app.storage.exists(k)));
  expect(await exists()).toEqual([true, true, true, true]);

  await cleanUp(gw.app, new Date());
  expect(await exists()).toEqual([false, false, true, true]);
  expect((await gw.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: order.id }, { token: alice.token })).data.order.id).toBe(order.id);
});

it('deletes idempotency keys older than 30 days and keeps newer ones', async () => {
  await gw.app.ds.query(
    `INSERT INTO idempotency_key (scope, operation, key, request_hash, created_at) VALUES ('s', 'op', 'old', repeat('0', 64), now() - interval '31 days'), ('s', 'op', 'new', repeat('0', 64), now() - interval '29 days')`,
  );
  await cleanUp(gw.app, new Date());
  const rows = await gw.app.ds.query(`SELECT key FROM idempotency_key WHERE scope = 's' ORDER BY key`);
  expect(rows).toEqual([{ key: 'new' }]);
});
