import './licensing.css';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatMoney } from '../../../shared/format.ts';
import type { CountryProfile, LicenceTier, LocalizedText } from '../../../shared/profile-schema.ts';
import type { HOLDER_KINDS } from '../../../shared/schemas/licensing.ts';
import { ApiError, get, NetworkError } from '../../api/client.ts';

/** Shared pieces of the licensing screens: the profile's tiers, statuses, holders, problems. */

export type HolderKind = (typeof HOLDER_KINDS)[number];

interface ProfileResponse {
  profileId: string;
  document: CountryProfile;
}

/** A profile text in the interface language, else the profile's first language that has it. */
export type PickText = (text: LocalizedText | undefined) => { text: string; lang: string };

export function makePick(uiLanguage: string, profileLanguages: readonly string[]): PickText {
  return (text) => {
    if (!text) return { text: '', lang: uiLanguage };
    const tags = Object.keys(text);
    const lang =
      tags.find((tag) => tag === uiLanguage) ??
      tags.find((tag) => tag.split('-')[0] === uiLanguage) ??
      profileLanguages.find((tag) => tag in text) ??
      tags[0] ??
      uiLanguage;
    return { text: text[lang] ?? '', lang };
  };
}

/** The licence tiers of the active country profile (the same cache as the profile screen). */
export function useTiers() {
  const { i18n } = useTranslation();
  const result = useQuery({
    queryKey: ['profile', 'current'],
    queryFn: ({ signal }) => get<ProfileResponse>('/profiles/current', signal),
    staleTime: 300_000,
  });
  const doc = result.data?.document;
  const pick = useMemo(() => makePick(i18n.language, doc?.languages ?? []), [i18n.language, doc]);
  const tiers = useMemo(() => doc?.licenceTiers ?? [], [doc]);
  const tier = useCallback((code: string) => tiers.find((x) => x.code === code), [tiers]);
  return { tiers, tier, pick, isPending: result.isPending, isError: result.isError, error: result.error };
}

/** A tier's name in the interface language; its code when the profile no longer has it. */
export function TierName({ code }: { code: string }) {
  const { tier, pick } = useTiers();
  const found = tier(code);
  if (!found) return <span>{code}</span>;
  const { text, lang } = pick(found.names);
  return <span lang={lang}>{text}</span>;
}

/** The translation key of a failed request's problem ("errors" namespace). */
export function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

const GOOD = new Set(['approved', 'issued', 'active']);
const BAD = new Set(['rejected', 'revoked', 'expired', 'suspended']);

/** An application's or a licence's status as a badge (colour and words, never colour alone). */
export function StatusBadge({ kind, status }: { kind: 'application' | 'licence'; status: string }) {
  const { t } = useTranslation('licensing');
  const tone = GOOD.has(status) ? 'ok' : BAD.has(status) ? 'off' : 'pending';
  return <span className={`badge ${tone}`}>{t(`licensing:statuses.${kind}.${status}`)}</span>;
}

export function formatUnit(locale: string, value: number, unit: 'hectare' | 'month' | 'day'): string {
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'long',
    maximumFractionDigits: 2,
  }).format(value);
}

/** A date-only value (YYYY-MM-DD) in the interface language, without a time-zone shift. */
export function formatDay(locale: string, day: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

const HOLDER_PATHS: Record<HolderKind, string> = {
  person: '/people',
  enterprise: '/enterprises',
  production_unit: '/production-units',
};

/** Where a holder's own page is in the registry screens. */
export function holderPage(kind: HolderKind, id: string): string {
  const base = { person: 'people', enterprise: 'enterprises', production_unit: 'production-units' }[kind];
  return `/registry/${base}/${id}`;
}

interface HolderRecord {
  reference: string;
  name?: string;
  givenName?: string;
  familyName?: string;
}

export function holderLabel(h: HolderRecord): string {
  const name = h.name ?? `${h.givenName ?? ''} ${h.familyName ?? ''}`.trim();
  return `${name} (${h.reference})`;
}

/** A holder's name and reference, read from the registry; a link to their page when asked. */
export function HolderName({ kind, id, link = false }: { kind: HolderKind; id: string; link?: boolean }) {
  const { t } = useTranslation('licensing');
  const holder = useQuery({
    queryKey: ['holder', kind, id],
    queryFn: ({ signal }) => get<HolderRecord>(`${HOLDER_PATHS[kind]}/${id}`, signal),
    staleTime: 60_000,
    retry: false,
  });
  const label = holder.data ? holderLabel(holder.data) : holder.isError ? t('licensing:holder.unknown') : '…';
  return link ? <Link to={holderPage(kind, id)}>{label}</Link> : <span>{label}</span>;
}

/** The facts of a tier an applicant and an officer need: fee, area, validity, requirements, incentives. */
export function TierFacts({ tier, pick }: { tier: LicenceTier; pick: PickText }) {
  const { t, i18n } = useTranslation('licensing');
  const locale = i18n.language;
  const text = (x: LocalizedText) => {
    const p = pick(x);
    return <span lang={p.lang}>{p.text}</span>;
  };
  return (
    <div className="tier-facts">
      <dl className="facts">
        <dt>{t('licensing:tier.fee')}</dt>
        <dd>{formatMoney(locale, tier.fee.amountMinor, tier.fee.currency)}</dd>
        <dt>{t('licensing:tier.maxArea')}</dt>
        <dd>{formatUnit(locale, tier.maxAreaHectares, 'hectare')}</dd>
        <dt>{t('licensing:tier.validity')}</dt>
        <dd>{formatUnit(locale, tier.validityMonths, 'month')}</dd>
        <dt>{t('licensing:tier.serviceStandard')}</dt>
        <dd>{formatUnit(locale, tier.serviceStandardDays, 'day')}</dd>
      </dl>
      <h3>{t('licensing:tier.requirements')}</h3>
      {tier.requirements.length === 0 ? (
        <p>{t('licensing:tier.none')}</p>
      ) : (
        <ul>
          {tier.requirements.map((r) => (
            <li key={r.code}>{text(r.names)}</li>
          ))}
        </ul>
      )}
      <h3>{t('licensing:tier.incentives')}</h3>
      {tier.incentives.length === 0 ? (
        <p>{t('licensing:tier.none')}</p>
      ) : (
        <ul>
          {tier.incentives.map((r) => (
            <li key={r.code}>{text(r.names)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
