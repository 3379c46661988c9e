import { type LogbookSettings, logbookSettingsSchema } from '../../../shared/profile-schema.ts';
import type { PeriodKind } from './periods.ts';

/**
 * What the country profile says about logbooks. Profiles loaded before logbooks existed have no
 * `logbook` section: the schema's defaults apply (weekly, 7 days to report).
 */
export function logbookSettings(profile: unknown): LogbookSettings {
  const raw = (profile as { logbook?: unknown } | null | undefined)?.logbook ?? {};
  const parsed = logbookSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : logbookSettingsSchema.parse({});
}

interface TierDuty {
  code: string;
  reportingDuty?: { frequency?: string };
}

/**
 * The period of a licence's reports: the reporting duty of its tier (weekly, monthly, quarterly).
 * A production unit, or a tier the profile no longer lists, reports on the profile's logbook period.
 */
export function periodKindFor(profile: unknown, tierCode: string | null): PeriodKind {
  if (tierCode !== null) {
    const tiers = (profile as { licenceTiers?: TierDuty[] } | null | undefined)?.licenceTiers ?? [];
    const frequency = tiers.find((t) => t.code === tierCode)?.reportingDuty?.frequency;
    if (frequency === 'weekly' || frequency === 'monthly' || frequency === 'quarterly') return frequency;
  }
  return logbookSettings(profile).period;
}
