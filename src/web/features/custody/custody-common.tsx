import './custody.css';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { formatMass } from '../../../shared/format.ts';
import type { CountryProfile } from '../../../shared/profile-schema.ts';
import type { ActorDto, LotDto } from '../../../shared/schemas/custody.ts';
import { ApiError, get, NetworkError, query } from '../../api/client.ts';

/** Shared pieces of the custody screens: actors, minerals, masses typed in grams, statuses. */

/** The translation key of a failed request's problem ("errors" namespace). */
export function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

/**
 * Grams as typed ("12.5", "7,25", "1 000") to integer milligrams, or null when it is not a positive
 * mass with at most three decimals. Parsed as text so 0.1 g is exactly 100 mg, never 99.999….
 */
export function gramsToMg(text: string): number | null {
  const m = /^(\d+)(?:[.,](\d{0,3}))?$/.exec(text.trim().replace(/[\s\u00a0\u202f]/g, ''));
  if (!m) return null;
  const mg = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return Number.isSafeInteger(mg) && mg > 0 ? mg : null;
}

/** Milligrams as the plain text a grams field starts with (12500 → "12.5"). */
export function mgToGramsText(mg: number): string {
  const whole = Math.floor(mg / 1000);
  const rest = String(mg % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return rest ? `${whole}.${rest}` : String(whole);
}

/** Fineness typed in per mille ("916.7") to parts per ten thousand (9167), or null. */
export function perMilleToPtt(text: string): number | null {
  const m = /^(\d{1,4})(?:[.,](\d?))?$/.exec(text.trim());
  if (!m) return null;
  const ptt = Number(m[1]) * 10 + Number(m[2] || '0');
  return ptt <= 10000 ? ptt : null;
}

export function useMass(): (mg: number) => string {
  const { i18n } = useTranslation();
  return (mg) => formatMass(i18n.language, mg);
}

/** Every custody actor in the user's areas (one page of 500: a district's actors fit in it). */
export function useActors() {
  return useQuery({
    queryKey: ['custody-actors', 'all'],
    queryFn: ({ signal }) =>
      get<{ items: ActorDto[] }>(`/custody/actors${query({ limit: 500 })}`, signal).then((p) => p.items),
    staleTime: 30_000,
  });
}

/** The country's currency and the minerals it levies royalties on: the choices of the forms. */
export function useCustodyProfile(): { currency: string; minerals: string[] } {
  const result = useQuery({
    queryKey: ['profile', 'current'],
    queryFn: ({ signal }) =>
      get<{ profileId: string; document: CountryProfile }>('/profiles/current', signal),
    staleTime: 300_000,
  });
  const doc = result.data?.document;
  const minerals = [...new Set(['gold', ...(doc?.royalties ?? []).map((r) => r.mineral)])];
  return { currency: doc?.currency ?? 'USD', minerals };
}

export function MineralName({ code }: { code: string }) {
  const { t } = useTranslation('custody');
  return <>{t(`custody:minerals.${code}`, { defaultValue: code })}</>;
}

export function ActorLabel({ actor }: { actor: Pick<ActorDto, 'name' | 'kind'> }) {
  const { t } = useTranslation('custody');
  return (
    <>
      {actor.name} <span className="hint">({t(`custody:actorKinds.${actor.kind}`)})</span>
    </>
  );
}

/** A lot's status as a badge: words and colour, never colour alone. */
export function LotStatusBadge({ status }: { status: LotDto['status'] }) {
  const { t } = useTranslation('custody');
  const tone = status === 'open' ? 'ok' : status === 'exported' ? 'pending' : 'off';
  return <span className={`badge ${tone}`}>{t(`custody:lotStatuses.${status}`)}</span>;
}

/** "63.29 %" in the locale's way. */
export function formatShare(locale: string, value: number): string {
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(value);
}
