import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import { customer, quoteOrder, staff, submitOrder, type Actor } from '../support/builders';
import { startTestGateway, type TestGateway } from '../support/gateway';

const CHROMIUM = '/usr/bin/chromium';
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

let gw: TestGateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: Request[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's package (apt-get update && apt-get install -y chromium).`);
  }
  gw = await startTestGateway();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  context.on('request', (request) => requests.push(request));
  // Anything bound elsewhere is recorded (and then fails the test) but never leaves the machine.
  await context.route('**/*', (route) =>
    LOCAL_HOSTS.has(new URL(route.request().url()).hostname) ? route.continue() : route.abort('blockedbyclient'),
  );
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
});

/** The text of every CodeMirror editor on the page: query, variables, headers, result. */
const editorValues = () =>
  page.locator('.CodeMirror').evaluateAll((editors) => editors.map((el) => (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue()));

/** Replaces an editor's text, typed key by key or pasted in one go. */
async function enter(editor: Locator, text: string, how: 'type' | 'paste') {
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await (how === 'type' ? page.keyboard.type(text) : page.keyboard.insertText(text));
  await page.keyboard.press('Escape'); // closes the autocomplete list, as a person would before moving on
}

describe('GraphQL Playground in a real browser, offline', () => {
  let staffMember: Actor;

  it('loads from the gateway alone and runs a staff query with the pasted Authorization header', async () => {
    // given: a staff member with a token, and the Playground open at /graphql
    staffMember = await staff(gw);
    await page.goto(gw.url);
    const execute = page.locator('[title="Execute Query (Ctrl-Enter)"]');
    await execute.waitFor({ state: 'visible', timeout: 30_000 });

    // when: they type a query, paste their token into HTTP HEADERS and press play
    await enter(page.locator('.CodeMirror').first(), '{ me { email role } }', 'type');
    const headersTab = page.getByRole('button', { name: 'HTTP Headers' });
    await headersTab.click();
    // the drawer under the query editor: its tab buttons, then the editor of the open tab
    const headersEditor = headersTab.locator('xpath=../..').locator('.CodeMirror');
    await enter(headersEditor, `{"Authorization": "Bearer ${staffMember.token}"}`, 'paste');
    const answered = page.waitForResponse((res) => res.url() === gw.url && res.request().method() === 'POST' && (res.request().postData() ?? '').includes('me'));
    await execute.click();
    const response = await answered;

    // then: the request carried the token, and the result panel shows the account
    expect(response.request().headers()['authorization']).toBe(`Bearer ${staffMember.token}`);
    const expected = { data: { me: { email: staffMember.email, role: 'STAFF' } } };
    await page.getByText(`"email": "${staffMember.email}"`).waitFor({ state: 'visible', timeout: 15_000 });
    // the autocomplete type boxes went away with their lists instead of covering the query
    expect(await page.locator('.CodeMirror-hints-wrapper').count()).toBe(0);
    expect((await editorValues()).flatMap(parseJson)).toContainEqual(expected);

    await page.mouse.move(960, 600); // off the editors, whose hover tooltips would hide the query
    const shot = path.join(mkdtempSync(path.join(tmpdir(), 'playground-')), 'playground.png');
    await page.screenshot({ path: shot });
    console.info(`Playground screenshot: ${shot}`);
  });

  it('receives viewerOrdersUpdated in the subscription tab after a mutation (legacy graphql-ws protocol over /graphql)', async () => {
    // given: the staff member's Playground from the test above (token in HTTP HEADERS), and a customer's order
    const alice = await customer(gw);
    const order = await submitOrder(gw, alice);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));

    // when: they run a subscription, and the order is quoted meanwhile
    await enter(page.locator('.CodeMirror').first(), 'subscription { viewerOrdersUpdated { id status } }', 'paste');
    await page.locator('[title="Execute Query (Ctrl-Enter)"]').click();
    const deadline = Date.now() + 15_000;
    while (gw.app.live.hub.stats.subscriptions < 1) {
      if (Date.now() > deadline) throw new Error('the Playground never subscribed');
      await page.waitForTimeout(50);
    }
    await quoteOrder(gw, staffMember, order, ['10', '10', '10'], ['0', '0', '0']);

    // then: the result panel shows the order as it is now
    await page.getByText(`"id": "${order.id}"`).first().waitFor({ state: 'visible', timeout: 15_000 });
    expect((await editorValues()).flatMap(parseJson)).toContainEqual({ data: { viewerOrdersUpdated: { id: order.id, status: 'AWAITING_FIRST_PAYMENT' } } });
    expect(sockets).toEqual([gw.url.replace(/^http/, 'ws')]);
    const shot = path.join(mkdtempSync(path.join(tmpdir(), 'playground-')), 'subscription.png');
    await page.mouse.move(960, 600);
    await page.screenshot({ path: shot });
    console.info(`Playground subscription screenshot: ${shot}`);

    // and the same button (now a stop button) ends the subscription on the gateway
    await page.locator('[title="Execute Query (Ctrl-Enter)"]').click();
    const stopBy = Date.now() + 15_000;
    while (gw.app.live.hub.stats.subscriptions > 0) {
      if (Date.now() > stopBy) throw new Error('the subscription did not end when stopped');
      await page.waitForTimeout(50);
    }
  });

  it('made every request to the gateway on localhost, none to a CDN or font host', () => {
    const urls = requests.map((r) => r.url());
    expect(urls.filter((url) => !LOCAL_HOSTS.has(new URL(url).hostname))).toEqual([]);
    // the page, its stylesheet and script, then GraphQL itself
    expect(urls).toEqual(expect.arrayContaining([gw.url, expect.stringMatching(/middleware\.js$/), expect.stringMatching(/index\.css$/)]));
    expect(requests.some((r) => r.method() === 'POST' && r.url() === gw.url)).toBe(true);
  });

  it('raised no uncaught error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

function parseJson(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    return [];
  }
}
