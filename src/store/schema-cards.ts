/**
 * Tables of the cards service (the regional social card register), as kysely sees them. Created by store
 * migration 0004_cards. No column ever holds a card number or a SNILS in clear.
 */

export type SocialCardStatus = 'ACTIVE' | 'BLOCKED' | 'DEREGISTERED';

export interface SocialCardTable {
  /** The social card id (UUID v4), what the register hands out. */
  id: string;
  /** HMAC-SHA256 of the card number with the service secret, hex; NULL once the card is taken off the register. */
  pan_hash: string | null;
  /** The card number's last four digits, for people to tell cards apart. */
  pan_last4: string;
  /** HMAC-SHA256 of the holder's SNILS (11 digits) with the service secret, hex. */
  holder_hash: string;
  /** "Surname I. P." as given at registration. */
  holder_display: string;
  connection_point: string;
  /** Mnemonic of the information system that registered the card. */
  registered_by: string;
  status: SocialCardStatus;
  status_reason: string | null;
  /** Epoch milliseconds. */
  registered_at: number;
  status_changed_at: number;
}

export type SocialCardAction = 'REGISTERED' | 'BLOCKED' | 'UNBLOCKED' | 'DEREGISTERED';

export interface SocialCardEventTable {
  id: string;
  card_id: string;
  action: SocialCardAction;
  /** Mnemonic of the information system that asked for the change. */
  system: string;
  reason: string | null;
  at: number;
}

/** Named values of the service: `pan_hmac_secret` (generated when none is configured), `key_check`, `samples_seeded`. */
export interface SocialCardKeyTable {
  name: string;
  value: string;
  created_at: number;
}

export interface CardsTables {
  social_cards: SocialCardTable;
  social_card_events: SocialCardEventTable;
  social_card_keys: SocialCardKeyTable;
}
