/** Table shapes as kysely sees them. One definition serves SQLite and PostgreSQL. */
import type { Generated } from 'kysely';

export interface SeenMessageIdTable {
  message_id: string;
  sender: string;
  /** Epoch milliseconds of the UUID's own time, so old entries can be pruned past the replay window. */
  message_time: number;
  seen_at: number;
}

export interface GatewayInstanceTable {
  instance_id: string;
  started_at: number;
  id: Generated<number>;
}

export interface Database {
  seen_message_ids: SeenMessageIdTable;
}
