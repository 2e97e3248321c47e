/**
 * The admin API's readable page: served by the gateway from its own OpenAPI document, every path and operation on
 * it, under a policy that lets it load its own stylesheet and nothing else (no script, no CDN).
 */
import { expect } from 'chai';
import { escapeHtml } from '../../src/console/html.js';
import { anchorOf, renderApiPage } from '../../src/server/api-page.js';
import { openApiDocument } from '../../src/server/openapi.js';
import { PAGE_POLICY } from '../../src/server/security-headers.js';
import { useGateway } from '../support/gateway.js';

describe('server: the admin API page', function () {
  this.timeout(30_000);

  const gateway = useGateway();

  it('GET /api/docs is an HTML page listing every path and operation of the OpenAPI document', async () => {
    const response = await fetch(`${gateway.url}/api/docs`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const page = await response.text();
    const paths = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>);
    expect(paths.length).to.be.above(20);
    for (const [path, methods] of paths) {
      expect(page, path).to.include(`<code>${escapeHtml(path)}</code>`);
      for (const method of Object.keys(methods))
        expect(page, `${method} ${path}`).to.include(`id="${anchorOf(method, path)}"`);
    }
    expect(page).to.include('href="/api/v1/openapi.json"');
  });

  it('carries a policy that allows its own stylesheet and nothing else, and no script at all', async () => {
    const response = await fetch(`${gateway.url}/api/docs`);
    expect(response.headers.get('content-security-policy')).to.equal(PAGE_POLICY);
    expect(PAGE_POLICY).to.include("default-src 'none'").and.not.include('script-src');
    expect(response.headers.get('x-frame-options')).to.equal('DENY');
    expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
    const page = await response.text();
    expect(page).to.not.match(/<script|\son\w+=|style=/i);
    expect(page).to.not.match(/(?:href|src)="(?:https?:)?\/\//);
    expect(page).to.include('<link rel="stylesheet" href="/api/docs/style.css">');
  });

  it('serves its stylesheet from the package, under the strict set', async () => {
    const response = await fetch(`${gateway.url}/api/docs/style.css`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/css/);
    expect(response.headers.get('content-security-policy')).to.equal(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(await response.text()).to.include('.method');
  });

  it('escapes every text it takes from the document', () => {
    const page = renderApiPage({
      info: { title: '<b>API</b>', description: '"quoted" & <i>' },
      servers: [{ url: '/x' }],
      paths: {
        '/a/{id}': {
          get: {
            summary: '<script>alert(1)</script>',
            parameters: [{ name: '<p>', in: 'query', schema: { type: 'string' } }],
            responses: { 200: { description: '<img src=x onerror=alert(1)>' } },
          },
        },
      },
    });
    expect(page).to.not.include('<script>').and.not.include('<img').and.not.include('<b>API');
    expect(page).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).to.include('&quot;quoted&quot; &amp; &lt;i&gt;');
    expect(page).to.include('<code>&lt;p&gt;</code>');
  });
});
