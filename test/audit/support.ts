/** Shared material for the audit tests: stores on both dialects, the sample gateway signer and trust store. */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { KeyCheckpointSigner } from '../../src/audit/checkpoint-signer.js';
import type { AuditEntryInput } from '../../src/audit/trail.js';
import { TrustStore } from '../../src/signature/pki/trust-store.js';
import { openStore, type Store } from '../../src/store/store.js';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  readonly name: 'SQLite' | 'PostgreSQL';
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'smev-audit-test-'));
  let n = 0;
  return {
    name: 'SQLite',
    open: () => openStore({ sqliteFile: join(dir, `audit-${n++}.db`) }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresBackend(): Backend {
  const schemas: string[] = [];
  return {
    name: 'PostgreSQL',
    open: () => {
      const schema = `audit_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
      schemas.push(schema);
      return openStore({ databaseUrl: POSTGRES_URL, schema });
    },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export function gatewaySigner(): KeyCheckpointSigner {
  return new KeyCheckpointSigner(
    createPrivateKey(readFileSync('certs-sample/gateway.key.pem', 'utf8')),
    readFileSync('certs-sample/gateway.crt.pem', 'utf8'),
  );
}

export function sampleTrust(): TrustStore {
  return TrustStore.fromPem(
    [readFileSync('certs-sample/ca.crt.pem', 'utf8')],
    [readFileSync('certs-sample/ca.crl.pem', 'utf8')],
  );
}

/** A registry-like change, numbered i. */
export function sampleEntry(i: number): AuditEntryInput {
  return {
    actor: i % 3 === 0 ? 'coordinator-1' : 'operator-7',
    role: i % 3 === 0 ? 'coordinator' : 'operator',
    action: i % 2 === 0 ? 'system.update' : 'participant.check',
    subjectType: i % 2 === 0 ? 'system' : 'participant',
    subjectId: `subject-${i}`,
    before: i === 1 ? undefined : { status: 'submitted', version: i - 1, name: `Организация №${i}` },
    after: {
      version: i,
      status: 'checked',
      name: `Организация №${i}`,
      tags: ['a', { z: 1, a: [null, true] }],
    },
  };
}
