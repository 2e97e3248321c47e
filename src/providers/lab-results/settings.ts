/** The lab-results service's settings (`services.lab-results` in the configuration), checked when the provider is made. */
import { z } from 'zod';
import { DEFAULT_VISIT_RETENTION_DAYS } from './rules.js';

export const LabResultsSettingsSchema = z
  .object({
    /** How one-time codes reach the phone: `log` (default, for trying the gateway: logs the code) or `http`. */
    notifier: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('log') }).strict(),
        z
          .object({
            kind: z.literal('http'),
            url: z.url({ protocol: /^https?$/ }),
            timeoutMs: z.coerce.number().int().positive().max(60_000).optional(),
          })
          .strict(),
      ])
      .optional()
      .describe(
        'How one-time codes and warnings reach the phone: `{"kind":"log"}` (default, for trying the gateway: ' +
          'logs the code) or `{"kind":"http","url":…,"timeoutMs":…}`.',
      ),
    /** Days admitted visits (with the visitor's phone or token) are kept for contact tracing. */
    visitRetentionDays: z.coerce
      .number()
      .int()
      .positive()
      .max(366)
      .default(DEFAULT_VISIT_RETENTION_DAYS)
      .describe("Days admitted visits (with the visitor's phone or token) are kept for contact tracing."),
    /** Visits within this many hours of a positive person's visit (same venue) get a warning by SMS. */
    warningWindowHours: z.coerce
      .number()
      .int()
      .min(1)
      .max(72)
      .default(2)
      .describe(
        "Visits within this many hours of a positive person's visit (same venue) get a warning by SMS.",
      ),
    /** SMS (one-time codes and warnings together) one phone receives per hour at most. */
    smsPerPhonePerHour: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('SMS (one-time codes and warnings together) one phone receives per hour at most.'),
  })
  .strict();

export type LabResultsSettings = z.infer<typeof LabResultsSettingsSchema>;

export function parseLabResultsSettings(settings: unknown): LabResultsSettings {
  const parsed = LabResultsSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `services.lab-results.${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid settings of the lab-results service: ${problems.join('; ')}`);
  }
  return parsed.data;
}
