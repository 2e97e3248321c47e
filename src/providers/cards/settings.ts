/**
 * The cards service's settings: the `services.cards` section of the gateway configuration.
 *
 * - `panHmacSecret`: the key of the HMAC-SHA256 that replaces card numbers and SNILS numbers in the register.
 *   Keep it outside the database (configuration file or secret store): with the key, a stolen database gives
 *   the card numbers back by trying the few candidates that fit a known BIN, the last four digits and Luhn.
 *   When absent, the service generates one on its first start and keeps it in its own table, with a warning,
 *   so that a fresh install works.
 * - `seedSamples`: put the sample cards of examples/cards/ in the register on the first start. Defaults to true
 *   only when no secret is configured (the quick-start install); a configured install starts empty.
 */
import { z } from 'zod';

export const CardsSettingsSchema = z
  .object({
    panHmacSecret: z
      .string()
      .min(32, 'panHmacSecret must be at least 32 characters long')
      .optional()
      .describe(
        'Key of the HMAC-SHA256 that replaces card and SNILS numbers in the register. Keep it outside the ' +
          'database; absent, the service generates one on first start, keeps it in its own table and warns.',
      ),
    seedSamples: z
      .boolean()
      .optional()
      .describe(
        'Put the sample cards of examples/cards/ in the register on first start; by default only when no ' +
          'secret is configured.',
      ),
  })
  .strict();

export type CardsSettings = z.infer<typeof CardsSettingsSchema>;

/** Parses the section; a wrong section stops the gateway at start with the problem named. */
export function parseCardsSettings(raw: unknown): CardsSettings {
  const parsed = CardsSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `services.cards.${issue.path.join('.') || '(section)'}: ${issue.message}`,
    );
    throw new Error(`invalid cards service settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}
