import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestGateway, type TestGateway } from './support/gateway';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.close());

const origin = () => new URL(gw.url).origin;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const packageFile = (file: string) =>
  readFileSync(path.join(path.dirname(require.resolve('@apollographql/graphql-playground-react/package.json')), file));

async function landingPage() {
  const res = await fetch(gw.url, { headers: { accept: 'text/html' } });
  return { res, html: await res.text() };
}

/**
 * Every address the page makes the browser load: src/href attributes, CSS url() and @import
 * (a `#fragment` names an element of the page itself, like the logo's SVG gradient).
 */
function referencedUrls(html: string): string[] {
  const attributes = [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]);
  const css = [...html.matchAll(/url\(\s*["']?([^"')]+)|@import\s+["']([^"']+)/gi)].map((m) => m[1] ?? m[2]);
  return [...attributes, ...css].filter((url) => !url.startsWith('#'));
}

describe('GraphQL Playground landing page', () => {
  it('serves Playground HTML to a browser GET of /graphql', async () => {
    // when
    const { res, html } = await landingPage();

    // then
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('GraphQLPlayground.init');
    expect(html).toContain('<title>GraphQL Playground · proxy-buy gateway</title>');
  });

  it('references only files on the gateway itself: no other host, no web-font link', async () => {
    // when
    const { html } = await landingPage();

    // then
    const urls = referencedUrls(html);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(url).toMatch(/^\/(?!\/)/);
    // XML namespace names are identifiers, never fetched; any other absolute address would be.
    const withoutNamespaces = html.replace(/\bxmlns(?::\w+)?="[^"]*"/g, '');
    expect(withoutNamespaces).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/fonts\.googleapis|jsdelivr/);
  });

  it('defaults the Playground to same-origin credentials and no schema polling', async () => {
    const { html } = await landingPage();
    const config = JSON.parse(
      /<div id="playground-config"[^>]*>([^<]*)<\/div>/.exec(html)![1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
    );
    expect(config.settings).toMatchObject({ 'request.credentials': 'same-origin', 'schema.polling.enable': false });
  });

  it('serves each referenced file with its content type, its bytes from the npm package and a one-year cache', async () => {
    // given
    const { html } = await landingPage();
    const expected: Record<string, { type: RegExp; file: string }> = {
      '.js': { type: /^text\/javascript; charset=utf-8$/, file: 'build/static/js/middleware.js' },
      '.css': { type: /^text\/css; charset=utf-8$/, file: 'build/static/css/index.css' },
      '.png': { type: /^image\/png$/, file: 'build/favicon.png' },
    };

    for (const url of referencedUrls(html)) {
      // when
      const res = await fetch(origin() + url);

      // then
      const kind = expected[path.extname(url)];
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(res.headers.get('content-type')).toMatch(kind.type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(url).toContain(kind.file);
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(packageFile(kind.file)));
    }
  });

  it('sends the script gzipped to a client that accepts it, plain to one that does not', async () => {
    const { html } = await landingPage();
    const script = referencedUrls(html).find((u) => u.endsWith('.js'))!;
    const { request } = await import('node:http');
    const get = (acceptEncoding: string) =>
      new Promise<{ encoding?: string; bytes: number }>((resolve, reject) => {
        request(origin() + script, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes }));
        })
          .on('error', reject)
          .end();
      });

    const gzipped = await get('gzip, deflate, br');
    const plain = await get('identity');

    expect(gzipped.encoding).toBe('gzip');
    expect(plain.encoding).toBeUndefined();
    expect(plain.bytes).toBe(packageFile('build/static/js/middleware.js').length);
    expect(gzipped.bytes).toBeLessThan(plain.bytes / 3);
  });

  it('exposes nothing else from the package', async () => {
    const { html } = await landingPage();
    const script = referencedUrls(html).find((u) => u.endsWith('.js'))!;
    const sibling = script.replace('static/js/middleware.js', 'index.html');
    expect((await fetch(origin() + sibling)).status).toBe(404);
    expect((await fetch(origin() + script.replace('middleware.js', 'middleware.js.map'))).status).toBe(404);
  });

  it('still answers GraphQL over POST and refuses a GET query without a preflight header (CSRF)', async () => {
    expect((await gw.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    const simpleGet = await fetch(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(simpleGet.status).toBe(400);
  });
});
