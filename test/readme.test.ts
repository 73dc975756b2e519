import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDemoAccounts } from '../src/cli/demo-accounts';
import { jpeg } from './support/files';
import { startTestGateway, type TestGateway } from './support/gateway';

// The README's first steps, as a newcomer pastes them: its shell commands run in bash, in a
// folder holding photo.jpg, against a gateway that has the demo accounts `npm start` makes.
const README = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The fenced blocks of `lang` in the README section whose heading starts with `heading`. */
function blocks(heading: string, lang: string): string[] {
  const start = README.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const next = README.indexOf('\n## ', start + 1);
  const section = README.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

let gw: TestGateway;
let dir: string;
beforeAll(async () => {
  gw = await startTestGateway();
  await ensureDemoAccounts(gw.app);
  dir = mkdtempSync(path.join(tmpdir(), 'readme-'));
  writeFileSync(path.join(dir, 'photo.jpg'), jpeg());
});
afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

it('first steps: signs in, submits an order and sends a photo to it, exactly as written', async () => {
  // given the README's commands, aimed at this gateway
  const commands = blocks('First steps', 'sh');
  expect(commands).toHaveLength(3);
  const host = new URL(gw.url).host;
  const script = [...commands.map((c) => c.replaceAll('localhost:4000', host)), 'printf "\\nORDER_ID=%s\\n" "$ORDER_ID"'].join('\n');

  // when they run in a shell
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir });

  // then the demo customer has a submitted order with the photo in its thread
  const orderId = /\nORDER_ID=(.*)\n/.exec(stdout)?.[1];
  expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
  const [order] = await gw.app.ds.query(
    `SELECT o.status, a.email FROM customer_order o JOIN account a ON a.id = o.customer_id WHERE o.id = $1`,
    [orderId],
  );
  expect(order).toEqual({ status: 'SUBMITTED', email: 'customer@demo.local' });
  const sent = JSON.parse(stdout.slice(stdout.indexOf('{"data"'), stdout.lastIndexOf('}') + 1));
  expect(sent.data.messageSend).toMatchObject({ userErrors: [], message: { attachments: [{ filename: 'photo.jpg', contentType: 'image/jpeg' }] } });
});

it('the Playground examples are valid operations', async () => {
  const [staffLogin, staffQuery, customerSubmit] = blocks('In GraphQL Playground', 'graphql');
  const login = (await gw.gql(staffLogin)).data.accountLogin;
  expect(login.userErrors).toEqual([]);
  expect((await gw.gql(staffQuery, undefined, { token: login.token })).errors).toBeUndefined();
  const customer = (await gw.gql(`mutation { accountLogin(input: { email: "customer@demo.local", password: "demo-customer-pass" }) { token } }`)).data.accountLogin;
  const submitted = (await gw.gql(customerSubmit, undefined, { token: customer.token })).data.orderSubmit;
  expect(submitted).toMatchObject({ userErrors: [], order: { status: 'SUBMITTED' } });
});
