/**
 * The lab-results service: entry checks against the register of positive laboratory results (Stavropol region, order
 * N 339-o/d of 2020-12-07). A visitor shows a personal QR code, or receives a one-time code by SMS after scanning
 * the venue's QR code; the staff's check answers ADMIT or REFUSE; admitted checks are the visits from which the
 * contacts of a person with a positive result are found for warning. Tables and samples: store migration
 * 0005_tests; schema: xsd/tests-1.0.xsd; samples: examples/tests/.
 */
import type { TestsTables } from '../../store/schema-tests.js';
import { defineService, type ServiceContext } from '../service.js';
import { labResultsCodec } from './codec.js';
import { notifierFrom, type Notifier } from './notifier.js';
import { LabResultsProvider } from './provider.js';
import { parseLabResultsSettings } from './settings.js';

export { LAB_RESULTS_NS } from './codec.js';
export type { LabResultsAnswer, LabResultsRequest } from './codec.js';
export type { Notifier } from './notifier.js';

/** The provider over a service context; `notifier` replaces the one the settings choose (tests use this). */
export function createLabResultsProvider(
  context: ServiceContext,
  overrides: { notifier?: Notifier } = {},
): LabResultsProvider {
  const settings = parseLabResultsSettings(context.settings);
  return new LabResultsProvider({
    db: context.store.db.withTables<{ [T in keyof TestsTables]: TestsTables[T] }>(),
    dialect: context.store.dialect,
    clock: context.clock,
    log: context.log,
    notifier: overrides.notifier ?? notifierFrom(settings, context.log),
    visitRetentionDays: settings.visitRetentionDays,
    warningWindowHours: settings.warningWindowHours,
    smsPerPhonePerHour: settings.smsPerPhonePerHour,
  });
}

export const labResultsService = defineService({
  codec: labResultsCodec,
  createProvider: (context) => createLabResultsProvider(context),
});
