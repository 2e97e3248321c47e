/**
 * The attachment store's migrations (0013, 0014) are numbered below migrations a running gateway has already
 * applied (0015 onwards): a store migrated before they existed must take them on its next start.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../../src/store/store.js';

describe('Attachment store migrations on a store migrated before them', () => {
  it('applies 0013 and 0014 after later migrations ran', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smev-gateway-migrations-'));
    const sqliteFile = join(dir, 'gateway.db');
    try {
      // A store as an earlier version left it: every migration but the attachment store's.
      const first = await openStore({ sqliteFile });
      await sql`drop table queue_message_files`.execute(first.db);
      await sql`drop table attachment_grants`.execute(first.db);
      await sql`drop table attachments`.execute(first.db);
      await sql`delete from kysely_migration where name in ('0013_attachment_store', '0014_queue_message_files')`.execute(
        first.db,
      );
      await first.close();

      const again = await openStore({ sqliteFile });
      try {
        const { rows } = await sql<{ name: string }>`select name from kysely_migration
          where name in ('0013_attachment_store', '0014_queue_message_files') order by name`.execute(
          again.db,
        );
        expect(rows.map((row) => row.name)).to.deep.equal([
          '0013_attachment_store',
          '0014_queue_message_files',
        ]);
        await sql`select uuid from attachments`.execute(again.db);
        await sql`select uuid from queue_message_files`.execute(again.db);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
