/** The documents service's settings (`services.documents` in the configuration), checked when the provider is made. */
import { z } from 'zod';
import { LabResultsSettingsSchema } from '../lab-results/settings.js';

export const DocumentsSettingsSchema = z
  .object({
    notifier: LabResultsSettingsSchema.shape.notifier.describe(
      'How one-time consent codes reach the subject\'s phone: `{"kind":"log"}` (default, for trying the ' +
        'gateway: logs the code) or `{"kind":"http","url":…,"timeoutMs":…}`.',
    ),
    requireSmsConsent: z
      .boolean()
      .default(false)
      .describe(
        "Every OpenAccessRequest must carry the subject's Phone: access opens only after the subject confirms " +
          'it with the one-time code sent there by SMS (ConfirmAccessRequest). Without it, only requests with a ' +
          'Phone wait for that consent.',
      ),
    iinHmacSecret: z
      .string()
      .min(32, 'iinHmacSecret must be at least 32 characters long')
      .optional()
      .describe(
        'Key of the HMAC-SHA256 that replaces national identifiers (IIN), QR tokens and short codes in the ' +
          'store. Keep it outside the database; absent, the service generates one on first start, keeps it in ' +
          'its own table and warns.',
      ),
    representationSources: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,50}$/))
      .default([])
      .describe(
        "Systems of state bodies that record who a child's legal representatives are (RepresentationRequest); " +
          "a representative sees and opens the child's documents. Empty: nobody records them.",
      ),
    identityTypes: z
      .array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/))
      .default(['ID_CARD', 'PASSPORT'])
      .describe('Document types that identify a person (d:Document/d:Type).'),
    financialOrganisations: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,50}$/))
      .default([])
      .describe(
        'Systems of financial and payment organisations: they see identity documents only through a desk ' +
          'access (OpenAccessRequest with Desk, naming them), opened while the person is present.',
      ),
    accessMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(10)
      .describe('Minutes an access opened without Minutes stays valid.'),
    maxAccessMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(60)
      .describe('The longest access a subject may open, in minutes.'),
    maxWrongCodes: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe(
        'Wrong or unknown codes one third-party system may present within a sliding window of lockMinutes; ' +
          'past them its presentations are refused until the oldest of them leave the window.',
      ),
    lockMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .describe(
        'The sliding window wrong codes are counted in: a locked third party waits until enough of them leave it.',
      ),
    maxFailuresPerCode: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe(
        'Refused presentations of one code (by systems it was not opened for) before the code is locked.',
      ),
  })
  .strict();

export type DocumentsSettings = z.infer<typeof DocumentsSettingsSchema>;

export function parseDocumentsSettings(settings: unknown): DocumentsSettings {
  const parsed = DocumentsSettingsSchema.safeParse(settings ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `services.documents.${issue.path.join('.') || '(section)'}: ${issue.message}`,
    );
    throw new Error(`invalid settings of the documents service: ${problems.join('; ')}`);
  }
  if (parsed.data.accessMinutes > parsed.data.maxAccessMinutes)
    throw new Error('invalid settings of the documents service: accessMinutes exceeds maxAccessMinutes');
  return parsed.data;
}
