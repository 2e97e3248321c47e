/**
 * `/ws` (message exchange 1.1), `/ws/1.2` and `/ws/1.3`: POST runs the exchange pipeline in the contract version
 * of the path; GET serves that version's WSDL (`?wsdl`) and its schemas (`?xsd=NAME`).
 */
import { randomUUID } from 'node:crypto';
import type { Request, Router } from 'express';
import express from 'express';
import { newExchange } from '../exchange/context.js';
import type { Pipeline } from '../exchange/pipeline.js';
import type { Logger } from '../logging/logger.js';
import type { Contract } from '../soap/contract.js';
import { CONTRACT_VERSIONS, type ExchangeNamespaces } from '../soap/namespaces.js';
import { discardRest, readBody, type ReadBody } from './body.js';
import type { GatewayMetrics } from './metrics.js';
import { withoutTrailing } from '../core/trim.js';

export interface SoapEndpointParts {
  readonly pipeline: Pipeline;
  /** The published contract (WSDL and schemas) of each message-exchange version the gateway serves. */
  readonly contracts: (version: ExchangeNamespaces) => Contract;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  /** How much of an oversize body is read and discarded before the fault is sent (`limits.discardBodyBytes`). */
  readonly discardBodyBytes: number;
  readonly publicUrl: string | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

export function soapEndpoint(parts: SoapEndpointParts): Router {
  const router = express.Router();
  for (const version of CONTRACT_VERSIONS) serveVersion(router, parts, version);
  return router;
}

function serveVersion(router: Router, parts: SoapEndpointParts, version: ExchangeNamespaces): void {
  const path = version.path;

  router.get(path, (req, res) => {
    const serviceUrl = serviceUrlOf(req, parts.publicUrl, path);
    if (!serviceUrl) return void res.status(400).type('text/plain').send('invalid Host header\n');
    // Without a configured public address the documents name the Host the client used: a cache must keep them apart.
    if (!parts.publicUrl) res.vary('Host');
    if ('wsdl' in req.query || 'WSDL' in req.query) {
      return void res.type('text/xml').send(parts.contracts(version).wsdlFor(serviceUrl));
    }
    const name = req.query.xsd;
    if (typeof name === 'string') {
      const schema = parts.contracts(version).schemaFor(name, serviceUrl);
      if (schema) return void res.type('text/xml').send(schema);
      return void res
        .status(404)
        .type('text/plain')
        .send(`no schema named ${name.slice(0, 100)}\n`);
    }
    res
      .status(400)
      .type('text/plain')
      .send(`GET ${path}?wsdl for the WSDL, ${path}?xsd=NAME for a schema; POST SOAP messages\n`);
  });

  router.post(path, async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    const log = parts.log.child({ requestId });
    let read: ReadBody;
    try {
      read = await readBody(req, parts.maxBodyBytes);
    } catch (error) {
      // The client left, or its request deadline (http.requestTimeoutMs) closed the connection: no one to answer.
      log.info('request abandoned before its body arrived', { error: (error as Error).message });
      return;
    }
    const { body, tooLarge, codingProblem } = read;
    res.locals.bodyBytes = body.length; // what a refusal of it spends (rate-limits.ts)
    const exchange = newExchange(
      requestId,
      {
        body,
        tooLarge,
        codingProblem,
        contentType: req.headers['content-type'],
        soapAction: req.headers.soapaction as string | undefined,
      },
      log,
      new Date(),
      version,
    );
    const result = await parts.pipeline.run(exchange);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    parts.metrics.observe(result.operation, result.faultCode, seconds);
    log.info('exchange', {
      operation: result.operation,
      status: result.status,
      fault: result.faultCode,
      sender: result.notes.sender?.mnemonic,
      messageId: result.notes.request?.messageId,
      ms: Math.round(seconds * 1e4) / 10,
    });
    // An oversize body is drained up to a bound so the client reads the fault; the connection closes after it.
    if (tooLarge) {
      await discardRest(req, parts.discardBodyBytes);
      res.setHeader('Connection', 'close');
    }
    const { mtom } = result;
    if (mtom) return void res.status(result.status).type(mtom.contentType).send(mtom.body);
    res.status(result.status).type(result.contentType).send(result.body);
  });

  // Another method on the endpoint is a method error, not a missing resource (RFC 9110 15.5.6).
  router.all(path, (_req, res) => {
    res
      .status(405)
      .set('Allow', 'GET, HEAD, POST')
      .type('text/plain')
      .send(`${path} takes GET (WSDL, schemas) and POST (SOAP)\n`);
  });
}

function requestIdOf(req: Request): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

function serviceUrlOf(req: Request, publicUrl: string | undefined, path: string): string | undefined {
  if (publicUrl) return `${withoutTrailing(publicUrl, '/')}${path}`;
  const host = req.headers.host;
  if (!host || !HOST.test(host)) return undefined;
  return `${req.protocol}://${host}${path}`;
}
