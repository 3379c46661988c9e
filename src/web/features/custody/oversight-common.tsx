import './oversight.css';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate, formatDateTime, formatNumber } from '../../../shared/format.ts';
import type { LotDto } from '../../../shared/schemas/custody.ts';
import type { FlagDto, IncidentDto } from '../../../shared/schemas/custody-oversight.ts';
import { get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { HolderName } from '../licensing/licensing-common.tsx';
import { useActors, useMass } from './custody-common.tsx';

/**
 * Shared pieces of the due diligence screens (risk flags, incidents, mass balance): the reason of a
 * flag in words, statuses as badges, links to what a flag or incident names, and its evidence.
 */

/** A calendar day (YYYY-MM-DD) in the locale's way, read in UTC so no time zone moves it a day. */
export function formatDay(locale: string, day: string): string {
  return formatDate(locale, `${day}T00:00:00Z`, 'UTC');
}

/** The first and last day of a month given as YYYY-MM. */
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The reason of a flag in the interface language, with its figures formatted for the locale. */
export function useFlagReason(): (flag: Pick<FlagDto, 'code' | 'params'>) => string {
  const { t, i18n } = useTranslation('custody-oversight');
  const mass = useMass();
  return (flag) => {
    const p = flag.params;
    const locale = i18n.language;
    const num = (k: string) => (typeof p[k] === 'number' ? formatNumber(locale, p[k]) : String(p[k] ?? ''));
    const massOf = (k: string) => (typeof p[k] === 'number' ? mass(p[k]) : '');
    return t(`custody-oversight:flags.${flag.code}`, {
      day: typeof p.day === 'string' ? formatDay(locale, p.day) : '',
      licenceNumbers: String(p.licenceNumbers ?? ''),
      distanceMetres: num('distanceMetres'),
      limitMetres: num('limitMetres'),
      ratioPercent: num('ratioPercent'),
      limitPercent: num('limitPercent'),
      produced: massOf('producedMg'),
      capacity: massOf('capacityMg'),
    });
  };
}

/** Statuses as badges: words and colour, never colour alone. */
export function FlagStatusBadge({ status }: { status: FlagDto['status'] }) {
  const { t } = useTranslation('custody-oversight');
  return (
    <span className={`badge ${status === 'open' ? 'off' : 'ok'}`}>
      {t(`custody-oversight:flagStatuses.${status}`)}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentDto['status'] }) {
  const { t } = useTranslation('custody-oversight');
  const tone = status === 'resolved' ? 'ok' : status === 'mitigating' ? 'pending' : 'off';
  return <span className={`badge ${tone}`}>{t(`custody-oversight:statuses.${status}`)}</span>;
}

export function AnnexClassBadge({ annexClass }: { annexClass: IncidentDto['annexClass'] }) {
  const { t } = useTranslation('custody-oversight');
  return (
    <span className={`badge ${annexClass === 'class_1' ? 'off' : 'pending'}`}>
      {t(`custody-oversight:classes.${annexClass}`)}
    </span>
  );
}

/**
 * OECD Annex II in one sentence: serious abuses and support to armed groups mean disengaging at
 * once, everything else a mitigation plan. Said wherever an incident is recorded or read.
 */
export function DisengageNote({ strong = false }: { strong?: boolean }) {
  const { t } = useTranslation('custody-oversight');
  return (
    <p className={strong ? 'disengage-note strong' : 'disengage-note'}>
      {t('custody-oversight:annex.disengage')}
    </p>
  );
}

/** A lot named by its tag, linked to its page (the tag is read when the link is shown). */
export function LotLink({ id }: { id: string }) {
  const { t } = useTranslation('custody-oversight');
  const lot = useQuery({
    queryKey: ['custody-lot', id],
    queryFn: ({ signal }) => get<LotDto>(`/lots/${id}`, signal),
    staleTime: 60_000,
    retry: false,
  });
  return (
    <Link to={`/custody/lots/${id}`} dir="ltr">
      {lot.data?.tag ?? t('custody-oversight:concerns.aLot')}
    </Link>
  );
}

/** A custody actor by name, linked to the lots it holds. */
export function ActorLink({ id }: { id: string }) {
  const { t } = useTranslation('custody-oversight');
  const actors = useActors();
  const actor = actors.data?.find((a) => a.id === id);
  return (
    <Link to={`/custody/lots?holderActorId=${id}`}>
      {actor ? actor.name : t('custody-oversight:concerns.anActor')}
    </Link>
  );
}

/**
 * What a flag or incident names: its lot, actor, site and incident, each linked where the user may
 * open it (a community monitor reads no custody or registry records, so sees plain words).
 */
export function Concerns({
  lotId,
  actorId,
  siteId,
  incidentId,
}: {
  lotId: string | null;
  actorId: string | null;
  siteId: string | null;
  incidentId?: string | null;
}) {
  const { t } = useTranslation('custody-oversight');
  const { can } = useSession();
  const custody = can('custody.read');
  const items: { key: string; label: string; value: ReactNode }[] = [];
  if (lotId)
    items.push({
      key: 'lot',
      label: t('custody-oversight:concerns.lot'),
      value: custody ? <LotLink id={lotId} /> : t('custody-oversight:concerns.aLot'),
    });
  if (actorId)
    items.push({
      key: 'actor',
      label: t('custody-oversight:concerns.actor'),
      value: custody ? <ActorLink id={actorId} /> : t('custody-oversight:concerns.anActor'),
    });
  if (siteId)
    items.push({
      key: 'site',
      label: t('custody-oversight:concerns.site'),
      value: can('registry.read') ? (
        <HolderName kind="production_unit" id={siteId} link />
      ) : (
        t('custody-oversight:concerns.aSite')
      ),
    });
  if (incidentId)
    items.push({
      key: 'incident',
      label: t('custody-oversight:concerns.incident'),
      value: can('incidents.read') ? (
        <Link to={`/custody/incidents/${incidentId}`}>{t('custody-oversight:concerns.openIncident')}</Link>
      ) : (
        t('custody-oversight:concerns.anIncident')
      ),
    });
  if (items.length === 0) return <>—</>;
  return (
    <ul className="concerns">
      {items.map((i) => (
        <li key={i.key}>
          {i.label}: {i.value}
        </li>
      ))}
    </ul>
  );
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * The evidence a flag was raised on, as the server kept it: nested facts shown as nested lists, the
 * names of known facts translated, masses in grams, days and times in the locale's way.
 */
export function EvidenceView({ value, name = '' }: { value: unknown; name?: string }) {
  const { t, i18n } = useTranslation(['custody-oversight', 'licensing', 'registry']);
  const mass = useMass();
  const locale = i18n.language;
  if (value === null || value === undefined || value === '') return <>—</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <>{t('custody-oversight:evidence.none')}</>;
    if (value.every((v) => typeof v !== 'object' || v === null))
      return <>{value.map((v) => String(v)).join(', ')}</>;
    return (
      <ol className="evidence-list">
        {value.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, shown once
          <li key={i}>
            <EvidenceView value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') {
    return (
      <dl className="evidence">
        {Object.entries(value as Record<string, unknown>).map(([k, v]) => (
          <div key={k}>
            <dt>{t(`custody-oversight:evidence.${k}`, { defaultValue: k })}</dt>
            <dd>
              <EvidenceView value={v} name={k} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  if (typeof value === 'number') {
    if (name.endsWith('Mg')) return <>{mass(value)}</>;
    return <>{formatNumber(locale, value)}</>;
  }
  if (typeof value === 'boolean') return <>{t(`custody-oversight:evidence.${value ? 'yes' : 'no'}`)}</>;
  const text = String(value);
  switch (name) {
    case 'status':
      return <>{t(`licensing:statuses.licence.${text}`, { defaultValue: text })}</>;
    case 'side':
      return <>{t(`custody-oversight:evidence.sides.${text}`, { defaultValue: text })}</>;
    case 'massBasis':
      return <>{t(`custody-oversight:evidence.bases.${text}`, { defaultValue: text })}</>;
    case 'reason':
      return <>{t(`custody-oversight:codes.${text}`, { defaultValue: text })}</>;
    case 'unit':
      return <>{t(`registry:capacityUnits.${text}`, { defaultValue: text })}</>;
  }
  if (ISO_DAY.test(text)) return <>{formatDay(locale, text)}</>;
  if (ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text))) return <>{formatDateTime(locale, text)}</>;
  return <span dir="auto">{text}</span>;
}
