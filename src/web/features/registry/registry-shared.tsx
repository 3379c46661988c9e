import './registry.css';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate, formatDateTime } from '../../../shared/format.ts';
import type { CountryProfile } from '../../../shared/profile-schema.ts';
import type { LicenceApplicationDto, LicenceDto } from '../../../shared/schemas/licensing.ts';
import { ApiError, get, NetworkError, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import type { FieldIssue } from '../../components/form.tsx';

/**
 * What the registry screens (people, enterprises, production units) share: titles, problem texts,
 * the holder's licences and applications, the record's history from the audit trail.
 */

/** Kinds of identity document offered; the server keeps the code, the screen translates it. */
export const ID_TYPES = [
  'national_id',
  'voter_card',
  'passport',
  'driving_licence',
  'birth_certificate',
  'other',
];

export type HolderKind = 'person' | 'enterprise' | 'production_unit';

/** A failed request as a translation key of the "errors" namespace. */
export function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);
}

/** Today in the device's time zone, as YYYY-MM-DD (the default of start and end dates). */
export function todayIso(now = new Date()): string {
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${m}-${d}`;
}

/** Server field codes the shared "forms" texts do not know; the registry explains them itself. */
const REGISTRY_FIELD_CODES = new Set(['before_start', 'unknown_enterprise', 'no_form_change']);

/**
 * The error text of a field: the registry's own words for its server codes, the shared form texts
 * otherwise.
 */
export function useRegistryFieldError(form: {
  errors: Partial<Record<string, FieldIssue>>;
  error(field: string): string | undefined;
}): (field: string) => string | undefined {
  const { t } = useTranslation('registry');
  return (field: string) => {
    const issue = form.errors[field];
    if (issue && REGISTRY_FIELD_CODES.has(issue.code)) return t(`registry:fieldCodes.${issue.code}`);
    return form.error(field);
  };
}

/** The page's heading, back link and load error, the same on every registry page. */
export function LoadFailed({
  error,
  back,
  backText,
  title,
}: {
  error: unknown;
  back: string;
  backText: string;
  title: string;
}) {
  const { t } = useTranslation(['registry', 'errors']);
  return (
    <section>
      <p>
        <Link to={back}>{backText}</Link>
      </p>
      <h1>{title}</h1>
      <p className="form-error" role="alert">
        {t(problemKey(error), { defaultValue: t('errors:unknown') })}
      </p>
    </section>
  );
}

/** A pair of a definition list, with "not recorded" when there is no value. */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  const { t } = useTranslation('registry');
  const empty = children === null || children === undefined || children === '';
  return (
    <>
      <dt>{label}</dt>
      <dd>{empty ? <span className="hint">{t('registry:notRecorded')}</span> : children}</dd>
    </>
  );
}

export function DateText({ value, withTime = false }: { value: string; withTime?: boolean }) {
  const { i18n } = useTranslation();
  return (
    <time dateTime={value}>
      {withTime ? formatDateTime(i18n.language, value) : formatDate(i18n.language, value)}
    </time>
  );
}

/** "Apply for a licence" for this holder, for those who may apply. */
export function ApplyForLicenceLink({ holderKind, holderId }: { holderKind: HolderKind; holderId: string }) {
  const { t } = useTranslation('registry');
  const { can } = useSession();
  if (!can('licensing.apply')) return null;
  return (
    <Link to={`/licensing/applications/new${query({ holderKind, holderId })}`} className="button primary">
      {t('registry:licences.apply')}
    </Link>
  );
}

/** The holder's page of the improvement standard: the level reached, progress and plan (issue 6). */
export function ImprovementLink({ subjectKind, subjectId }: { subjectKind: HolderKind; subjectId: string }) {
  const { t } = useTranslation('registry');
  const { can } = useSession();
  if (!can('improvement.read')) return null;
  return (
    <Link to={`/improvement/${subjectKind}/${subjectId}`} className="button secondary">
      {t('registry:improvementLink')}
    </Link>
  );
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A licence tier's name from the country profile (the profile screen's cache); its code otherwise. */
function TierName({ code }: { code: string }) {
  const { i18n } = useTranslation();
  const profile = useQuery({
    queryKey: ['profile', 'current'],
    queryFn: ({ signal }) => get<{ document: CountryProfile }>('/profiles/current', signal),
    staleTime: 300_000,
  });
  const names = profile.data?.document.licenceTiers?.find((x) => x.code === code)?.names as
    | Record<string, string>
    | undefined;
  if (!names) return <span>{code}</span>;
  const lang = i18n.language in names ? i18n.language : (Object.keys(names)[0] ?? i18n.language);
  return <span lang={lang}>{names[lang] ?? code}</span>;
}

/** A holder's licences and licence applications, with links to their pages. */
export function HolderLicences({ holderKind, holderId }: { holderKind: HolderKind; holderId: string }) {
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const allowed = can('licensing.read');
  const params = query({ holderKind, holderId, limit: 100 });
  const licences = useQuery({
    queryKey: ['holder-licences', holderKind, holderId],
    queryFn: ({ signal }) => get<Page<LicenceDto>>(`/licences${params}`, signal),
    enabled: allowed,
  });
  const applications = useQuery({
    queryKey: ['holder-applications', holderKind, holderId],
    queryFn: ({ signal }) => get<Page<LicenceApplicationDto>>(`/licence-applications${params}`, signal),
    enabled: allowed,
  });
  const headingId = useId();
  if (!allowed) return null;

  const failed = (err: unknown) => (
    <p className="form-error">{t(problemKey(err), { defaultValue: t('errors:unknown') })}</p>
  );

  return (
    <section aria-labelledby={headingId} className="registry-section">
      <h2 id={headingId}>{t('registry:licences.title')}</h2>
      <h3>{t('registry:licences.licences')}</h3>
      {licences.isPending ? (
        <p className="hint">{t('registry:loading')}</p>
      ) : licences.isError ? (
        failed(licences.error)
      ) : licences.data.items.length === 0 ? (
        <p>{t('registry:licences.noLicences')}</p>
      ) : (
        <ul className="record-list">
          {licences.data.items.map((l) => (
            <li key={l.id}>
              <Link to={`/licensing/licences/${l.id}`}>{l.number}</Link>{' '}
              <span className="badge">
                {t(`registry:licenceStatus.${l.status}`, { defaultValue: l.status })}
              </span>
              <br />
              <span className="hint">
                <TierName code={l.tierCode} /> · <DateText value={l.validFrom} /> –{' '}
                <DateText value={l.validTo} />
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('registry:licences.applications')}</h3>
      {applications.isPending ? (
        <p className="hint">{t('registry:loading')}</p>
      ) : applications.isError ? (
        failed(applications.error)
      ) : applications.data.items.length === 0 ? (
        <p>{t('registry:licences.noApplications')}</p>
      ) : (
        <ul className="record-list">
          {applications.data.items.map((a) => (
            <li key={a.id}>
              <Link to={`/licensing/applications/${a.id}`}>{a.reference}</Link>{' '}
              <span className="badge">
                {t(`registry:applicationStatus.${a.status}`, { defaultValue: a.status })}
              </span>
              <br />
              <span className="hint">
                <TierName code={a.tierCode} /> · <DateText value={a.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface AuditEvent {
  seq: number;
  occurredAt: string;
  actorKind: string;
  actorId: string | null;
  action: string;
}

const ACTION = /^[a-z_]+\.[a-z_]+$/;

/** The record's history from the audit trail, for those who may read it; the latest 20 changes. */
export function EntityHistory({ entityType, entityId }: { entityType: HolderKind; entityId: string }) {
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const allowed = can('audit.read');
  const headingId = useId();
  const events = useQuery({
    queryKey: ['entity-history', entityType, entityId],
    queryFn: ({ signal }) =>
      get<Page<AuditEvent>>(`/audit-events${query({ entityType, entityId, limit: 20 })}`, signal),
    enabled: allowed,
  });
  if (!allowed) return null;
  return (
    <section aria-labelledby={headingId} className="registry-section">
      <h2 id={headingId}>{t('registry:history.title')}</h2>
      {events.isPending ? (
        <p className="hint">{t('registry:loading')}</p>
      ) : events.isError ? (
        <p className="form-error">{t(problemKey(events.error), { defaultValue: t('errors:unknown') })}</p>
      ) : events.data.items.length === 0 ? (
        <p>{t('registry:history.empty')}</p>
      ) : (
        <ol className="record-list">
          {events.data.items.map((e) => (
            <li key={e.seq}>
              <DateText value={e.occurredAt} withTime />
              {' · '}
              {ACTION.test(e.action)
                ? t(`registry:history.actions.${e.action}`, { defaultValue: e.action })
                : e.action}
            </li>
          ))}
        </ol>
      )}
      <p>
        <Link to={`/admin/audit${query({ entityType, entityId })}`}>{t('registry:history.inAudit')}</Link>
      </p>
    </section>
  );
}

/**
 * A consequential step asks once more on the page (no browser dialog): focus moves to the
 * confirmation and back to the first button on cancel.
 */
export function useFocusOnChange(flag: boolean) {
  const onRef = useRef<HTMLButtonElement>(null);
  const offRef = useRef<HTMLButtonElement>(null);
  const was = useRef(flag);
  useEffect(() => {
    if (flag && !was.current) onRef.current?.focus();
    if (!flag && was.current) offRef.current?.focus();
    was.current = flag;
  }, [flag]);
  return { onRef, offRef };
}

/** A labelled multi-line text with its hint and error (the shared form has single-line fields only). */
export function TextAreaField({
  label,
  hint,
  error,
  optional,
  value,
  onChange,
  name,
  maxLength,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  optional?: boolean;
  value: string;
  onChange(value: string): void;
  name?: string;
  maxLength?: number;
}) {
  const { t } = useTranslation('forms');
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {optional && <span className="hint"> {t('forms:optional')}</span>}
      </label>
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <textarea
        id={id}
        name={name}
        rows={4}
        value={value}
        maxLength={maxLength}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}
      />
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
