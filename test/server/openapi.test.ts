/**
 * The admin API's OpenAPI document is valid OpenAPI 3.1 (checked by an OpenAPI parser), describes exactly the
 * routes the server registers, and states the statuses the server answers with.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'chai';
import type { Router } from 'express';
import { adminApi, type AdminApiParts } from '../../src/server/admin-api.js';
import { openApiDocument } from '../../src/server/openapi.js';
import { innWithCheckDigit, ogrnWithCheckDigit } from '../../src/registry/seed.js';
import { useGateway } from '../support/gateway.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string;
}

/** `METHOD /path` of every route of an express router, mounted routers included, in OpenAPI's path syntax. */
function registeredRoutes(router: Router, prefix = ''): string[] {
  return (router as unknown as { stack: Layer[] }).stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
    }
    if (layer.handle.stack && typeof layer.rawPath === 'string') {
      return registeredRoutes(layer.handle as unknown as Router, `${prefix}${layer.rawPath}`).map((route) =>
        route.replace(/\/(?= |$)/, ''),
      );
    }
    return [];
  });
}

const documented = () =>
  Object.entries(openApiDocument.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );

describe('admin API OpenAPI document', function () {
  this.timeout(60_000);

  it('is valid OpenAPI 3.1', async () => {
    const api = await SwaggerParser.validate(structuredClone(openApiDocument) as never);
    expect(api).to.have.property('openapi', '3.1.0');
  });

  it('describes exactly the routes the server registers', () => {
    // The router is only built here, never served: its parts are not used.
    const routes = registeredRoutes(adminApi({} as AdminApiParts));
    expect(routes).to.include.members(['PUT /participants/{id}', 'GET /cards', 'GET /cards/{id}']);
    expect([...new Set(documented())].sort()).to.deep.equal([...new Set(routes)].sort());
  });

  it('declares 429 everywhere, 415 with every body, and a success schema for every operation', () => {
    for (const [path, methods] of Object.entries(openApiDocument.paths)) {
      for (const [method, op] of Object.entries(
        methods as Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>,
      )) {
        const name = `${method} ${path}`;
        if (path !== '/openapi.json') expect(op.responses, name).to.have.property('429');
        if (op.requestBody) expect(op.responses, name).to.have.property('415');
        const success = (op.responses['200'] ?? op.responses['201']) as {
          content: Record<string, { schema: object }>;
        };
        const schema = Object.values(success.content)[0]?.schema ?? {};
        expect(Object.keys(schema), name).to.have.length.above(0);
      }
    }
  });

  describe('against the running server', () => {
    let token: string;
    const gateway = useGateway();
    before(async () => {
      token = (await gateway.registry.createToken({ name: 't', role: 'operator' }, 'op', 'operator')).token;
    });

    it('states the success status each creating call answers with', async () => {
      const call = (method: string, path: string, body: unknown) =>
        fetch(`${gateway.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const statusOf = (path: string, method: string) =>
        Object.keys(
          (openApiDocument.paths as Record<string, Record<string, { responses: object }>>)[path]?.[method]
            ?.responses ?? {},
        )[0];
      const applied = await call('POST', '/applications', {
        fullName: 'Org',
        shortName: 'ORG',
        legalForm: 'state institution',
        ogrn: ogrnWithCheckDigit('102770000555'),
        inn: innWithCheckDigit('770000555'),
        address: 'Address',
        head: 'Head',
        contact: { name: 'C', position: 'officer', phone: '+7 912 345-67-89', email: 'c@example.org' },
      });
      expect(String(applied.status)).to.equal(statusOf('/applications', 'post'));
      const { id } = (await applied.json()) as { id: string };
      const updated = await call('PUT', `/participants/${id}`, {
        fullName: 'Org renamed',
        shortName: 'ORG',
        legalForm: 'state institution',
        ogrn: ogrnWithCheckDigit('102770000555'),
        inn: innWithCheckDigit('770000555'),
        address: 'Address',
        head: 'Head',
        contact: { name: 'C', position: 'officer', phone: '+7 912 345-67-89', email: 'c@example.org' },
        changedOn: new Date().toISOString().slice(0, 10),
      });
      expect(String(updated.status)).to.equal(statusOf('/participants/{id}', 'put'));
      const routed = await call('POST', '/routes', {
        consumer: 'DEMO_CONSUMER',
        namespace: 'urn://example/doc',
        localName: 'DocRequest',
        recipient: 'SMEV_GATEWAY',
        provider: 'builtin:ping',
      });
      expect(String(routed.status)).to.equal(statusOf('/routes', 'post'));
      const cards = await fetch(`${gateway.url}/api/v1/cards?page=1&pageSize=5`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(String(cards.status)).to.equal(statusOf('/cards', 'get'));
      expect(await cards.json()).to.include.keys('page', 'pageSize', 'total', 'items');
    });
  });
});
