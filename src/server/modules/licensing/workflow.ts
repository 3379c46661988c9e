import { problems } from '../../platform/errors.ts';

/**
 * The licensing state machines, as data: what each action does to an application or a licence.
 * Pure, so the tables can be checked on their own (test/api/licensing.test.ts property-tests them).
 */
export const APPLICATION_STATUSES = [
  'draft',
  'submitted',
  'under_review',
  'approved',
  'rejected',
  'issued',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const LICENCE_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
export type LicenceStatus = (typeof LICENCE_STATUSES)[number];

export const APPLICATION_ACTIONS = ['submit', 'review', 'approve', 'reject', 'issue'] as const;
export type ApplicationAction = (typeof APPLICATION_ACTIONS)[number];

export const LICENCE_ACTIONS = ['suspend', 'reinstate', 'revoke', 'expire'] as const;
export type LicenceAction = (typeof LICENCE_ACTIONS)[number];

export const APPLICATION_TRANSITIONS: Record<
  ApplicationAction,
  { from: readonly ApplicationStatus[]; to: ApplicationStatus; reasonRequired: boolean }
> = {
  submit: { from: ['draft'], to: 'submitted', reasonRequired: false },
  review: { from: ['submitted'], to: 'under_review', reasonRequired: false },
  approve: { from: ['under_review'], to: 'approved', reasonRequired: false },
  reject: { from: ['under_review'], to: 'rejected', reasonRequired: true },
  issue: { from: ['approved'], to: 'issued', reasonRequired: false },
};

export const LICENCE_TRANSITIONS: Record<
  LicenceAction,
  { from: readonly LicenceStatus[]; to: LicenceStatus; reasonRequired: boolean }
> = {
  suspend: { from: ['active'], to: 'suspended', reasonRequired: true },
  reinstate: { from: ['suspended'], to: 'active', reasonRequired: false },
  revoke: { from: ['active', 'suspended'], to: 'revoked', reasonRequired: true },
  expire: { from: ['active'], to: 'expired', reasonRequired: false },
};

/** Every (from → to) pair the tables allow, for checks. */
export const ALLOWED_APPLICATION_STEPS: ReadonlySet<string> = new Set(
  Object.values(APPLICATION_TRANSITIONS).flatMap((t) => t.from.map((f) => `${f}>${t.to}`)),
);
export const ALLOWED_LICENCE_STEPS: ReadonlySet<string> = new Set(
  Object.values(LICENCE_TRANSITIONS).flatMap((t) => t.from.map((f) => `${f}>${t.to}`)),
);

function step<S extends string>(
  table: Record<string, { from: readonly S[]; to: S; reasonRequired: boolean }>,
  from: S,
  action: string,
  reason: string | null | undefined,
): S {
  const t = table[action];
  if (!t) throw new Error(`unknown action ${action}`);
  if (!t.from.includes(from)) {
    throw problems.conflict('licensing.invalid_transition', `Cannot go from ${from} to ${t.to}.`, {
      from,
      to: t.to,
    });
  }
  if (t.reasonRequired && !(reason && reason.trim().length > 0)) {
    throw problems.validation([{ path: 'body.reason', code: 'required', message: 'A reason is required.' }]);
  }
  return t.to;
}

/** The status after the action, or a 409 licensing.invalid_transition (400 when a reason is missing). */
export function nextApplicationStatus(
  from: ApplicationStatus,
  action: ApplicationAction,
  reason?: string | null,
): ApplicationStatus {
  return step(APPLICATION_TRANSITIONS, from, action, reason);
}

export function nextLicenceStatus(
  from: LicenceStatus,
  action: LicenceAction,
  reason?: string | null,
): LicenceStatus {
  return step(LICENCE_TRANSITIONS, from, action, reason);
}

/** The last day of validity: the day before the same date validityMonths later (end of month clamped). */
export function validTo(validFrom: string, months: number): string {
  const [y, m, d] = validFrom.split('-').map(Number) as [number, number, number];
  const total = m - 1 + months;
  const year = y + Math.floor(total / 12);
  const month = total % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(year, month, Math.min(d, lastDay)));
  end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}
