import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageGraphQLPlayground } from '@apollo/server-plugin-landing-page-graphql-playground';
import { Router, type Request, type Response } from 'express';
import { GRAPHQL_PATH } from './websocket/ws-server';

/**
 * Staff open GET /graphql in a browser and get GraphQL Playground, with every file it loads
 * served by this gateway: the operator's office network may have no route to a CDN, and a
 * tool that sends staff tokens should not run third-party script anyway.
 */

const PACKAGE = '@apollographql/graphql-playground-react';
const packageDir = path.dirname(require.resolve(`${PACKAGE}/package.json`));
const { version } = require(`${PACKAGE}/package.json`) as { version: string };

/**
 * The Playground template loads `${cdnUrl}/${PACKAGE}@${version}/<file>`: pointed at the gateway,
 * with the version in the path, so a file can be cached for a year and an upgrade changes its URL.
 */
const CDN_URL = '/playground';
const ASSET_PREFIX = `${CDN_URL}/${PACKAGE}@${version}`;

const ASSETS: Record<string, string> = {
  'build/static/js/middleware.js': 'text/javascript; charset=utf-8',
  'build/static/css/index.css': 'text/css; charset=utf-8',
  'build/favicon.png': 'image/png',
};

/** `onPage` gets the page as served (its Content-Security-Policy allows its inline scripts by hash). */
export function playgroundPlugin(onPage?: (html: string) => void): ApolloServerPlugin {
  const playground = ApolloServerPluginLandingPageGraphQLPlayground({
    cdnUrl: CDN_URL,
    version,
    title: 'GraphQL Playground · proxy-buy gateway',
    // The subscription tab: the same path over WebSocket (ws:// or wss:// on the page's host; Playground
    // speaks the legacy graphql-ws subprotocol, which the gateway serves beside graphql-transport-ws).
    subscriptionEndpoint: GRAPHQL_PATH,
    settings: {
      // Staff authenticate with a bearer token pasted into HTTP HEADERS; the browser's own
      // credentials go to the gateway's origin only, never to an endpoint typed in elsewhere.
      'request.credentials': 'same-origin',
      'editor.reuseHeaders': true,
      // The default re-introspects every 2 s per open tab: noise in the logs for no gain.
      'schema.polling.enable': false,
      'tracing.hideTracingResponse': true,
    },
  });
  return {
    async serverWillStart(service) {
      const listener = await playground.serverWillStart?.(service);
      const render = listener?.renderLandingPage;
      if (!render) throw new Error('The GraphQL Playground plugin rendered no landing page.');
      return {
        async renderLandingPage() {
          const page = await render();
          const html = typeof page.html === 'string' ? page.html : await page.html();
          const served = withoutRemoteLinks(html).replace('</body>', `${HINT_CLEANUP}</body>`);
          onPage?.(served);
          return { html: served };
        },
      };
    },
  };
}

/**
 * The template hard-codes a Google Fonts stylesheet; offline it only delays the page and leaks
 * the visit. Without it the page falls back to the system sans-serif and monospace fonts.
 */
function withoutRemoteLinks(html: string): string {
  return html.replace(/<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi, '');
}

/**
 * The bundled codemirror-graphql removes an autocomplete pop-up's type box on a `DOMNodeRemoved`
 * event, which Chromium no longer fires (graphql/graphql-playground#1429): the boxes pile up over
 * the query. Remove each box when its hint list goes.
 */
const HINT_CLEANUP = `<script>
  new MutationObserver(function (added) {
    added.forEach(function (change) {
      change.addedNodes.forEach(function (box) {
        if (!box.classList || !box.classList.contains('CodeMirror-hints-wrapper')) return;
        var watch = new MutationObserver(function () {
          if (!box.querySelector('.CodeMirror-hints')) { watch.disconnect(); box.remove(); }
        });
        watch.observe(box, { childList: true });
        if (!box.querySelector('.CodeMirror-hints')) { watch.disconnect(); box.remove(); }
      });
    });
  }).observe(document.body, { childList: true });
</script>
`;

/**
 * The three files the Playground page loads, read from the npm package on first use and kept in
 * memory; text is gzipped once (the 2.4 MB script goes over the wire as 0.7 MB).
 */
const gzipAsync = promisify(gzip);

export function playgroundAssets(): Router {
  const router = Router();
  const cache = new Map<string, Promise<{ raw: Buffer; gzipped?: Buffer }>>();
  const load = (file: string, compressible: boolean) => {
    let entry = cache.get(file);
    if (!entry) {
      entry = readFile(path.join(packageDir, file)).then(async (raw) => ({
        raw,
        gzipped: compressible ? await gzipAsync(raw) : undefined,
      }));
      entry.catch(() => cache.delete(file));
      cache.set(file, entry);
    }
    return entry;
  };

  for (const [file, type] of Object.entries(ASSETS)) {
    router.get(`${ASSET_PREFIX}/${file}`, async (req: Request, res: Response) => {
      const { raw, gzipped } = await load(file, type.startsWith('text/'));
      const useGzip = gzipped !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip';
      res.set({
        'Content-Type': type,
        'Cache-Control': 'public, max-age=31536000, immutable',
        'X-Content-Type-Options': 'nosniff',
        Vary: 'Accept-Encoding',
      });
      if (useGzip) res.set('Content-Encoding', 'gzip');
      res.send(useGzip ? gzipped : raw);
    });
  }
  return router;
}
