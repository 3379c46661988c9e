import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { type FormEvent, Fragment, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useSearchParams } from 'react-router';
import {
  AUDIT_CATALOG,
  type AuditModule,
  auditActionLabelKey,
  auditEntityTypeLabelKey,
  auditModuleLabelKey,
  isAuditAction,
  isAuditEntityType,
} from '../../../../shared/audit-catalog.ts';
import { formatDateTime, formatNumber } from '../../../../shared/format.ts';
import type { TaskDto } from '../../../../shared/schemas/tasks.ts';
import { ApiError, api, get, NetworkError, query } from '../../../api/client.ts';
import { useSession } from '../../../app/session.tsx';
import { type SelectOption, TextField } from '../../../components/form.tsx';
import { TaskProgress } from '../../../components/task-progress.tsx';

// ---------------------------------------------------------------------------------------------
// API shapes (src/server/modules/audit/routes.ts)

interface AuditEvent {
  seq: number;
  id: string;
  occurredAt: string;
  actorKind: 'user' | 'token' | 'system' | 'anonymous';
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  areaId: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  meta: unknown;
  hash: string;
  prevHash: string;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The history entry's state: cursors of the pages before this one ('' is the first page). */
interface PagerState {
  auditCursors?: string[];
}

type BrokenLinkReason =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'missing_event'
  | 'head_mismatch'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid';

interface VerifyResult {
  ok: boolean;
  eventsChecked: number;
  headSeq: number;
  firstBrokenLink: { seq: number; reason: BrokenLinkReason; detail: string } | null;
  checkpointsChecked: number;
}

interface Checkpoint {
  id: string;
  seq: number;
  hash: string;
  signedAt: string;
  publicKey: string;
  signature: string;
  statement: string;
}

/** The audit filters the server knows (src/server/modules/audit/export.ts, auditEventFilter). */
interface AuditFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

const PAGE_SIZE = 50;
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TEXT_FILTERS = ['entityType', 'entityId', 'actorId', 'action', 'from', 'to'] as const;
type FilterField = (typeof TEXT_FILTERS)[number];
type Draft = Record<FilterField, string>;

/** Local midnight at the start of a yyyy-mm-dd day, plus `days`, as an ISO instant. */
function dayToIso(day: string, days = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function draftFrom(params: URLSearchParams): Draft {
  return Object.fromEntries(TEXT_FILTERS.map((k) => [k, params.get(k) ?? ''])) as Draft;
}

/** The URL holds days as typed; the server gets instants: "to" includes its whole day. */
function apiFilter(params: URLSearchParams): AuditFilter {
  const f: AuditFilter = {};
  for (const k of ['entityType', 'entityId', 'actorId', 'action'] as const) {
    const v = params.get(k)?.trim();
    if (v) f[k] = v;
  }
  const from = dayToIso(params.get('from') ?? '');
  const to = dayToIso(params.get('to') ?? '', 1);
  if (from) f.from = from;
  if (to) f.to = to;
  return f;
}

function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

const mono = {
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  fontSize: '0.9rem',
} as const;
const wrapAnywhere = { overflowWrap: 'anywhere' } as const;
// Relative, so that visually hidden text inside a sideways-scrolling table cannot widen the page.
const tableWrapStyle = { position: 'relative', marginBottom: '1rem' } as const;
/**
 * The details of an event sit in a row as wide as the table; on a narrow screen they stay within the
 * visible part of the scrolling region, so they read top to bottom without sideways scrolling.
 */
const detailsPanelStyle = { position: 'sticky', left: '0.75rem', maxWidth: 'calc(100vw - 3.6rem)' } as const;
const factsGrid = { gridTemplateColumns: 'fit-content(45%) minmax(0, 1fr)' } as const;

function useProblemText(): (err: unknown) => string {
  const { t } = useTranslation(['errors']);
  return (err) => {
    if (err instanceof ApiError) return t(`errors:${err.code}`, { defaultValue: t('errors:unknown') });
    if (err instanceof NetworkError) return t('errors:network');
    return t('errors:unknown');
  };
}

function useLabels() {
  const { t } = useTranslation(['audit']);
  return {
    // What the catalog does not know (an action of an older version) shows as its code.
    action: (a: string) => (isAuditAction(a) ? t(`audit:${auditActionLabelKey(a)}`, { defaultValue: a }) : a),
    entityType: (e: string) =>
      isAuditEntityType(e) ? t(`audit:${auditEntityTypeLabelKey(e)}`, { defaultValue: e }) : e,
    module: (m: AuditModule) => t(`audit:${auditModuleLabelKey(m)}`),
    field: (path: string) =>
      path
        .split('.')
        .map((seg) =>
          /^\d+$/.test(seg)
            ? `#${seg}`
            : SIMPLE_KEY.test(seg)
              ? t(`audit:fields.${seg}`, { defaultValue: seg })
              : seg,
        )
        .join(' › '),
  };
}

// ---------------------------------------------------------------------------------------------
// Names of people and values

/** An account's name when the caller may read accounts; its identifier otherwise. */
function AccountName({ id }: { id: string }) {
  const { can } = useSession();
  const allowed = can('users.read');
  const user = useQuery({
    queryKey: ['audit-account-name', id],
    queryFn: ({ signal }) => get<{ name: string; phone: string }>(`/users/${id}`, signal),
    enabled: allowed,
    staleTime: 600_000,
    retry: false,
  });
  if (user.data) return <span>{user.data.name || user.data.phone}</span>;
  return <span style={mono}>{shortId(id)}</span>;
}

function ActorLabel({ event }: { event: AuditEvent }) {
  const { t } = useTranslation(['audit']);
  const kind = t(`audit:actorKinds.${event.actorKind}`, { defaultValue: event.actorKind });
  if (event.actorKind === 'user' && event.actorId) return <AccountName id={event.actorId} />;
  return (
    <span>
      {kind}
      {event.actorId && event.actorId !== event.actorKind && (
        <>
          <br />
          <span style={mono}>{shortId(event.actorId)}</span>
        </>
      )}
    </span>
  );
}

function EntityLabel({ event }: { event: AuditEvent }) {
  const { t } = useTranslation(['common']);
  const labels = useLabels();
  const id = event.entityId;
  return (
    <span>
      {labels.entityType(event.entityType)}
      {id && (
        <>
          <br />
          {event.entityType === 'user' ? (
            <AccountName id={id} />
          ) : event.entityType === 'role' && SIMPLE_KEY.test(id) ? (
            t(`common:roles.${id}`, { defaultValue: id })
          ) : (
            <span style={mono}>{shortId(id)}</span>
          )}
        </>
      )}
    </span>
  );
}

function useValueText(): (v: unknown) => string {
  const { t, i18n } = useTranslation(['audit']);
  const text = (v: unknown): string => {
    if (v === null || v === undefined) return t('audit:details.none');
    if (typeof v === 'boolean') return v ? t('audit:details.yes') : t('audit:details.no');
    if (typeof v === 'number') return formatNumber(i18n.language, v);
    if (typeof v === 'string') {
      if (v === '') return t('audit:details.emptyText');
      return ISO_INSTANT.test(v) ? formatDateTime(i18n.language, v) : v;
    }
    if (Array.isArray(v)) return v.length === 0 ? t('audit:details.none') : v.map(text).join(', ');
    return JSON.stringify(v);
  };
  return text;
}

/** An area's name in the interface language (same cache as the shell's); its identifier if unreadable. */
function AreaLabel({ id }: { id: string }) {
  const { i18n } = useTranslation();
  const area = useQuery({
    queryKey: ['admin-area', id],
    queryFn: ({ signal }) =>
      get<{ name: string; names: Record<string, string> }>(`/admin-areas/${id}`, signal),
    staleTime: 3_600_000,
    retry: false,
  });
  if (area.data) return <span>{area.data.names[i18n.language] ?? area.data.name}</span>;
  if (area.isError) return <span style={mono}>{shortId(id)}</span>;
  return <span>…</span>;
}

/** A recorded value, in words where its field says what it is (area, role, status, language). */
function FieldValue({ path, value }: { path: string; value: unknown }) {
  const { t, i18n } = useTranslation(['audit', 'common', 'tasks']);
  const text = useValueText();
  const leaf = path.split('.').pop() ?? '';
  if (typeof value === 'string' && value !== '') {
    if (leaf === 'areaId' && UUID.test(value)) return <AreaLabel id={value} />;
    if (leaf === 'roleCode' && SIMPLE_KEY.test(value))
      return <>{t(`common:roles.${value}`, { defaultValue: value })}</>;
    if (leaf === 'status' && SIMPLE_KEY.test(value)) {
      return (
        <>
          {t(`common:status.${value}`, { defaultValue: t(`tasks:status.${value}`, { defaultValue: value }) })}
        </>
      );
    }
    if (leaf === 'preferredLanguage' && /^[a-z]{2,3}$/.test(value)) {
      try {
        return <>{new Intl.DisplayNames([i18n.language], { type: 'language' }).of(value) ?? value}</>;
      } catch {
        return <>{value}</>;
      }
    }
  }
  return <>{text(value)}</>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Nested objects as dotted paths (assignments.1.roleCode); lists of plain values stay one value. */
function flatten(
  value: unknown,
  prefix = '',
  out = new Map<string, unknown>(),
  depth = 0,
): Map<string, unknown> {
  const nestedArray = Array.isArray(value) && value.some((v) => typeof v === 'object' && v !== null);
  if (depth < 4 && isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  } else if (depth < 4 && nestedArray) {
    (value as unknown[]).forEach((v, i) => {
      flatten(v, prefix ? `${prefix}.${i + 1}` : String(i + 1), out, depth + 1);
    });
  } else {
    out.set(prefix || '—', value);
  }
  return out;
}

type DiffStatus = 'changed' | 'added' | 'removed' | 'same';
interface DiffRow {
  path: string;
  before: unknown;
  after: unknown;
  status: DiffStatus;
}

function diff(before: unknown, after: unknown): DiffRow[] {
  const b = before == null ? new Map<string, unknown>() : flatten(before);
  const a = after == null ? new Map<string, unknown>() : flatten(after);
  const paths = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  return paths.map((path) => {
    const inB = b.has(path);
    const inA = a.has(path);
    const status: DiffStatus = !inB
      ? 'added'
      : !inA
        ? 'removed'
        : JSON.stringify(b.get(path)) === JSON.stringify(a.get(path))
          ? 'same'
          : 'changed';
    return { path, before: b.get(path), after: a.get(path), status };
  });
}

const beforeStyle = { color: 'var(--danger)', textDecoration: 'line-through', ...wrapAnywhere } as const;
const afterStyle = { color: 'var(--ok)', fontWeight: 600, textDecoration: 'none', ...wrapAnywhere } as const;

/** Before → after, field by field: what the event changed first, the rest folded away. */
function ChangeList({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation(['audit']);
  const labels = useLabels();
  const hasBefore = before != null;
  const hasAfter = after != null;
  if (!hasBefore && !hasAfter) return <p className="hint">{t('audit:details.noState')}</p>;

  const rows = diff(before, after);
  const both = hasBefore && hasAfter;
  const shown = both ? rows.filter((r) => r.status !== 'same') : rows;
  const same = both ? rows.filter((r) => r.status === 'same') : [];

  const value = (r: DiffRow) => {
    if (!both)
      return (
        <span style={wrapAnywhere}>
          <FieldValue path={r.path} value={hasAfter ? r.after : r.before} />
        </span>
      );
    if (r.status === 'same')
      return (
        <span style={wrapAnywhere}>
          <FieldValue path={r.path} value={r.after} />
        </span>
      );
    return (
      <>
        <span className="visually-hidden">{t('audit:details.before')}: </span>
        {r.status === 'added' || r.before == null ? (
          <em>
            {r.status === 'added' ? t('audit:details.absent') : <FieldValue path={r.path} value={r.before} />}
          </em>
        ) : (
          <del style={beforeStyle}>
            <FieldValue path={r.path} value={r.before} />
          </del>
        )}{' '}
        <span aria-hidden="true">→</span>{' '}
        <span className="visually-hidden">{t('audit:details.after')}: </span>
        {r.status === 'removed' || r.after == null ? (
          <em>
            {r.status === 'removed' ? (
              t('audit:details.absent')
            ) : (
              <FieldValue path={r.path} value={r.after} />
            )}
          </em>
        ) : (
          <ins style={afterStyle}>
            <FieldValue path={r.path} value={r.after} />
          </ins>
        )}
      </>
    );
  };

  const list = (items: DiffRow[]) => (
    <dl className="facts" style={factsGrid}>
      {items.map((r) => (
        <div key={r.path} style={{ display: 'contents' }}>
          <dt>{labels.field(r.path)}</dt>
          <dd>{value(r)}</dd>
        </div>
      ))}
    </dl>
  );

  return (
    <>
      <p className="hint">
        {both
          ? t('audit:details.changesHint')
          : hasAfter
            ? t('audit:details.afterOnly')
            : t('audit:details.beforeOnly')}
      </p>
      {shown.length > 0 ? list(shown) : <p>{t('audit:details.nothingChanged')}</p>}
      {same.length > 0 && (
        <details>
          <summary style={{ minHeight: 44, display: 'list-item', cursor: 'pointer', paddingTop: '0.6rem' }}>
            {t('audit:details.unchanged', { count: same.length })}
          </summary>
          {list(same)}
        </details>
      )}
    </>
  );
}

function FactList({ value }: { value: unknown }) {
  const labels = useLabels();
  const rows = [...flatten(value).entries()];
  return (
    <dl className="facts" style={factsGrid}>
      {rows.map(([path, v]) => (
        <div key={path} style={{ display: 'contents' }}>
          <dt>{labels.field(path)}</dt>
          <dd style={wrapAnywhere}>
            <FieldValue path={path} value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function EventDetails({ event, onFilter }: { event: AuditEvent; onFilter: (patch: Partial<Draft>) => void }) {
  const { t, i18n } = useTranslation(['audit']);
  const labels = useLabels();
  const hasMeta = event.meta != null && !(isPlainObject(event.meta) && Object.keys(event.meta).length === 0);
  const fact = (label: string, value: ReactNode, code = false) => (
    <div style={{ display: 'contents' }}>
      <dt>{label}</dt>
      <dd style={code ? { ...mono, ...wrapAnywhere } : wrapAnywhere}>{value ?? '—'}</dd>
    </div>
  );

  return (
    <div style={{ padding: '0.25rem 0 0.5rem' }}>
      <h3 style={{ marginTop: 0 }}>
        {t('audit:details.title', { seq: formatNumber(i18n.language, event.seq) })} ·{' '}
        {labels.action(event.action)}
      </h3>
      <h4>{t('audit:details.changes')}</h4>
      <ChangeList before={event.before} after={event.after} />
      {hasMeta && (
        <>
          <h4>{t('audit:details.meta')}</h4>
          <FactList value={event.meta} />
        </>
      )}
      <h4>{t('audit:details.event')}</h4>
      <dl className="facts" style={factsGrid}>
        {fact(t('audit:fields.seq'), formatNumber(i18n.language, event.seq))}
        {fact(
          t('audit:details.occurredAt'),
          <time dateTime={event.occurredAt}>{event.occurredAt}</time>,
          true,
        )}
        {fact(t('audit:details.action'), <span style={mono}>{event.action}</span>)}
        {fact(
          t('audit:details.actorKind'),
          t(`audit:actorKinds.${event.actorKind}`, { defaultValue: event.actorKind }),
        )}
        {fact(t('audit:details.actorId'), event.actorId, true)}
        {fact(t('audit:details.entityType'), labels.entityType(event.entityType))}
        {fact(t('audit:details.entityId'), event.entityId, true)}
        {fact(t('audit:details.areaId'), event.areaId, true)}
        {fact(t('audit:details.requestId'), event.requestId, true)}
        {fact(t('audit:details.id'), event.id, true)}
        {fact(t('audit:fields.hash'), event.hash, true)}
        {fact(t('audit:details.prevHash'), event.prevHash, true)}
      </dl>
      <div className="actions">
        {event.actorId && (
          <button
            type="button"
            className="button secondary"
            onClick={() => onFilter({ actorId: event.actorId ?? '' })}
          >
            {t('audit:details.filterActor')}
          </button>
        )}
        {event.entityId && (
          <button
            type="button"
            className="button secondary"
            onClick={() => onFilter({ entityType: event.entityType, entityId: event.entityId ?? '' })}
          >
            {t('audit:details.filterEntity')}
          </button>
        )}
      </div>
      <details>
        <summary style={{ minHeight: 44, display: 'list-item', cursor: 'pointer', paddingTop: '0.6rem' }}>
          {t('audit:details.raw')}
        </summary>
        <pre
          style={{
            ...mono,
            whiteSpace: 'pre-wrap',
            ...wrapAnywhere,
            background: '#eef1ee',
            padding: '0.75rem',
          }}
        >
          {JSON.stringify({ before: event.before, after: event.after, meta: event.meta }, null, 2)}
        </pre>
      </details>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Filters

interface OptionGroup {
  key: string;
  label: string;
  options: SelectOption[];
}

const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label);

/** The catalog's actions or record types under the module that records them, each in label order. */
function catalogGroups(
  pick: (module: (typeof AUDIT_CATALOG)[number]) => readonly string[],
  label: (value: string) => string,
  moduleLabel: (module: AuditModule) => string,
): OptionGroup[] {
  return AUDIT_CATALOG.map((m) => ({
    key: m.module,
    label: moduleLabel(m.module),
    options: pick(m)
      .map((value) => ({ value, label: label(value) }))
      .sort(byLabel),
  }))
    .filter((g) => g.options.length > 0)
    .sort(byLabel);
}

/** A labelled select whose choices sit under their module's name (one optgroup each). */
function GroupedSelectField({
  label,
  value,
  onChange,
  placeholder,
  groups,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  groups: readonly OptionGroup[];
}) {
  const id = useId();
  const known = groups.some((g) => g.options.some((o) => o.value === value));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{placeholder}</option>
        {groups.map((g) => (
          <optgroup key={g.key} label={g.label}>
            {g.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
        {/* A value from the address that the catalog does not know stays chosen, as its code. */}
        {value && !known && <option value={value}>{value}</option>}
      </select>
    </div>
  );
}

function Filters({ applied, onApply }: { applied: URLSearchParams; onApply: (draft: Draft) => void }) {
  const { t } = useTranslation(['audit', 'common']);
  const labels = useLabels();
  const id = useId();
  const appliedKey = applied.toString();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(applied));
  const [dateError, setDateError] = useState(false);
  // The URL changed from elsewhere (back button, "only this actor"): show what is applied.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the query string on purpose
  useEffect(() => {
    setDraft(draftFrom(applied));
    setDateError(false);
  }, [appliedKey]);

  const set = (k: FilterField) => (value: string) => setDraft((d) => ({ ...d, [k]: value }));

  function submit(e: FormEvent) {
    e.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setDateError(true);
      document.getElementById(`${id}-to`)?.focus();
      return;
    }
    setDateError(false);
    onApply(draft);
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="panel">
      <h2 id={`${id}-title`} style={{ marginTop: 0 }}>
        {t('audit:filters.title')}
      </h2>
      <div className="filters">
        {/* Long action names must not widen the page on a small screen. */}
        <div style={{ maxWidth: '100%' }}>
          <GroupedSelectField
            label={t('audit:filters.entityType')}
            value={draft.entityType}
            onChange={set('entityType')}
            placeholder={t('audit:filters.any')}
            groups={catalogGroups((m) => m.entityTypes, labels.entityType, labels.module)}
          />
        </div>
        <TextField
          label={t('audit:filters.entityId')}
          value={draft.entityId}
          onChange={set('entityId')}
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
        />
        <TextField
          label={t('audit:filters.actorId')}
          value={draft.actorId}
          onChange={set('actorId')}
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
        />
        {/* Long action names must not widen the page on a small screen. */}
        <div style={{ maxWidth: '100%' }}>
          <GroupedSelectField
            label={t('audit:filters.action')}
            value={draft.action}
            onChange={set('action')}
            placeholder={t('audit:filters.any')}
            groups={catalogGroups((m) => m.actions, labels.action, labels.module)}
          />
        </div>
        <TextField type="date" label={t('audit:filters.from')} value={draft.from} onChange={set('from')} />
        <TextField
          id={`${id}-to`}
          type="date"
          label={t('audit:filters.to')}
          value={draft.to}
          onChange={set('to')}
          min={draft.from || undefined}
          error={dateError ? t('audit:filters.dateOrder') : undefined}
        />
      </div>
      <p className="hint">{t('audit:filters.datesHint')}</p>
      <div className="actions" style={{ marginBottom: 0 }}>
        <button type="submit" className="button primary">
          {t('audit:filters.apply')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            const empty = draftFrom(new URLSearchParams());
            setDraft(empty);
            setDateError(false);
            onApply(empty);
          }}
        >
          {t('audit:filters.clear')}
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// Events

function EventsTable({
  events,
  busy,
  onFilter,
}: {
  events: AuditEvent[];
  busy: boolean;
  onFilter: (patch: Partial<Draft>) => void;
}) {
  const { t, i18n } = useTranslation(['audit', 'common']);
  const labels = useLabels();
  const captionId = useId();
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (seq: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  return (
    // A region that scrolls sideways on small screens must be reachable by keyboard.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
    <section className="table-wrap" aria-labelledby={captionId} tabIndex={0} style={tableWrapStyle}>
      <table aria-busy={busy}>
        <caption id={captionId} className="visually-hidden">
          {t('audit:table.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('audit:table.details')}</span>
            </th>
            <th scope="col">{t('audit:table.time')}</th>
            <th scope="col">{t('audit:table.actor')}</th>
            <th scope="col">{t('audit:table.action')}</th>
            <th scope="col">{t('audit:table.entity')}</th>
            <th scope="col">{t('audit:table.area')}</th>
            <th scope="col">{t('audit:table.requestId')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => {
            const expanded = open.has(e.seq);
            const panelId = `audit-event-${e.seq}`;
            return (
              <Fragment key={e.seq}>
                <tr>
                  <td>
                    <button
                      type="button"
                      className="button secondary"
                      style={{ padding: '0 0.6rem', whiteSpace: 'nowrap' }}
                      aria-expanded={expanded}
                      aria-controls={panelId}
                      onClick={() => toggle(e.seq)}
                    >
                      <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                      {t('audit:table.details')}
                      <span className="visually-hidden">
                        {' '}
                        {t('audit:table.ofEvent', { seq: formatNumber(i18n.language, e.seq) })}
                      </span>
                    </button>
                  </td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    <time dateTime={e.occurredAt}>{formatDateTime(i18n.language, e.occurredAt)}</time>
                  </td>
                  <td>
                    <ActorLabel event={e} />
                  </td>
                  <td>{labels.action(e.action)}</td>
                  <td>
                    <EntityLabel event={e} />
                  </td>
                  <td>{e.areaId ? <AreaLabel id={e.areaId} /> : t('audit:table.national')}</td>
                  <td style={{ ...mono, fontSize: '0.85rem' }}>{e.requestId ? shortId(e.requestId) : '—'}</td>
                </tr>
                <tr id={panelId} hidden={!expanded}>
                  {expanded && (
                    <td colSpan={7} style={{ background: '#fafbfa' }}>
                      <div style={detailsPanelStyle}>
                        <EventDetails event={e} onFilter={onFilter} />
                      </div>
                    </td>
                  )}
                </tr>
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Exports

function ExportTools({ filter }: { filter: AuditFilter }) {
  const { t } = useTranslation(['audit', 'tasks']);
  const problemText = useProblemText();
  const [task, setTask] = useState<TaskDto | null>(null);
  const start = useMutation({
    mutationFn: async () =>
      (await api<TaskDto>('/tasks', { method: 'POST', body: { kind: 'export.audit', params: filter } })).data,
    onSuccess: setTask,
  });
  const csvHref = `/api/v1/audit-events${query({ ...filter, format: 'csv' })}`;

  return (
    <section aria-labelledby="audit-export-title" className="panel">
      <h2 id="audit-export-title" style={{ marginTop: 0 }}>
        {t('audit:export.title')}
      </h2>
      <p className="hint">{t('audit:export.hint')}</p>
      <div className="actions">
        <a className="button secondary" href={csvHref} download="audit-events.csv">
          {t('audit:export.csv')}
        </a>
        <button
          type="button"
          className="button secondary"
          disabled={start.isPending}
          onClick={() => start.mutate()}
          aria-describedby="audit-export-bg-hint"
        >
          {start.isPending ? t('audit:export.starting') : t('audit:export.background')}
        </button>
      </div>
      <p id="audit-export-bg-hint" className="hint">
        {t('audit:export.backgroundHint')}
      </p>
      <div role="status">
        {task && (
          <p className="notice">
            {t('audit:export.started')} <Link to="/tasks">{t('audit:export.tasksLink')}</Link>
          </p>
        )}
      </div>
      {start.error && (
        <p className="form-error" role="alert">
          {problemText(start.error)}
        </p>
      )}
      {task && <TaskProgress key={task.id} taskId={task.id} initial={task} headingLevel={3} />}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Verification and checkpoints

function VerifyChain() {
  const { t, i18n } = useTranslation(['audit']);
  const problemText = useProblemText();
  const queryClient = useQueryClient();
  const n = (v: number) => formatNumber(i18n.language, v);
  const verify = useMutation({
    mutationFn: async () => (await api<VerifyResult>('/audit/verify', { method: 'POST' })).data,
    // The verification is itself recorded in the trail.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['audit-events'] }),
  });
  const result = verify.data;

  return (
    <section aria-labelledby="audit-verify-title" className="panel">
      <h2 id="audit-verify-title" style={{ marginTop: 0 }}>
        {t('audit:verify.title')}
      </h2>
      <p>{t('audit:verify.intro')}</p>
      <button
        type="button"
        className="button primary"
        disabled={verify.isPending}
        onClick={() => verify.mutate()}
      >
        {verify.isPending ? t('audit:verify.running') : t('audit:verify.button')}
      </button>
      <div role="status" aria-live="polite" aria-atomic="true" style={{ marginTop: '1rem' }}>
        {verify.isPending && <p>{t('audit:verify.running')}</p>}
        {!verify.isPending && result?.ok && (
          <div className="notice">
            <p style={{ marginTop: 0 }}>
              <strong>{t('audit:verify.ok')}</strong>
            </p>
            <dl className="facts" style={{ ...factsGrid, marginBottom: 0 }}>
              <dt>{t('audit:verify.eventsChecked')}</dt>
              <dd>{n(result.eventsChecked)}</dd>
              <dt>{t('audit:verify.headSeq')}</dt>
              <dd>{n(result.headSeq)}</dd>
              <dt>{t('audit:verify.checkpointsChecked')}</dt>
              <dd>{n(result.checkpointsChecked)}</dd>
            </dl>
          </div>
        )}
        {!verify.isPending && result && !result.ok && (
          <div className="form-error">
            <p style={{ marginTop: 0 }}>
              <strong>
                {result.firstBrokenLink
                  ? t('audit:verify.broken', { seq: n(result.firstBrokenLink.seq) })
                  : t('audit:verify.brokenUnknown')}
              </strong>
            </p>
            <dl className="facts" style={{ ...factsGrid, marginBottom: 0 }}>
              {result.firstBrokenLink && (
                <>
                  <dt>{t('audit:verify.reason')}</dt>
                  <dd>
                    {t(`audit:verify.reasons.${result.firstBrokenLink.reason}`, {
                      defaultValue: result.firstBrokenLink.reason,
                    })}
                  </dd>
                  <dt>{t('audit:verify.detail')}</dt>
                  <dd style={{ ...mono, ...wrapAnywhere }} lang="en">
                    {result.firstBrokenLink.detail}
                  </dd>
                </>
              )}
              <dt>{t('audit:verify.eventsChecked')}</dt>
              <dd>{n(result.eventsChecked)}</dd>
              <dt>{t('audit:verify.headSeq')}</dt>
              <dd>{n(result.headSeq)}</dd>
              <dt>{t('audit:verify.checkpointsChecked')}</dt>
              <dd>{n(result.checkpointsChecked)}</dd>
            </dl>
            <p style={{ marginBottom: 0 }}>{t('audit:verify.brokenAdvice')}</p>
          </div>
        )}
        {!verify.isPending && verify.error && <p className="form-error">{problemText(verify.error)}</p>}
      </div>
    </section>
  );
}

function Checkpoints({ canSign }: { canSign: boolean }) {
  const { t, i18n } = useTranslation(['audit', 'common']);
  const problemText = useProblemText();
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Checkpoint | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['audit-checkpoints'],
    queryFn: ({ pageParam, signal }) =>
      get<Page<Checkpoint>>(`/audit/checkpoints${query({ limit: 10, cursor: pageParam })}`, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const sign = useMutation({
    mutationFn: async () => (await api<Checkpoint>('/audit/checkpoints', { method: 'POST' })).data,
    onMutate: () => setCreated(null),
    onSuccess: (cp) => {
      setCreated(cp);
      void queryClient.invalidateQueries({ queryKey: ['audit-checkpoints'] });
      void queryClient.invalidateQueries({ queryKey: ['audit-events'] });
    },
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section aria-labelledby="audit-checkpoints-title" className="panel">
      <h2 id="audit-checkpoints-title" style={{ marginTop: 0 }}>
        {t('audit:checkpoints.title')}
      </h2>
      <p>{t('audit:checkpoints.intro')}</p>
      {canSign && (
        <button
          type="button"
          className="button primary"
          disabled={sign.isPending}
          onClick={() => sign.mutate()}
        >
          {sign.isPending ? t('audit:checkpoints.creating') : t('audit:checkpoints.create')}
        </button>
      )}
      <div role="status" style={{ marginTop: '0.75rem' }}>
        {created && (
          <p className="notice">
            {t('audit:checkpoints.created', { seq: formatNumber(i18n.language, created.seq) })}
          </p>
        )}
      </div>
      {sign.error && (
        <p className="form-error" role="alert">
          {problemText(sign.error)}
        </p>
      )}
      {list.isPending ? (
        <p className="loading">{t('common:loading')}</p>
      ) : list.error ? (
        <p className="form-error" role="alert">
          {problemText(list.error)}
        </p>
      ) : items.length === 0 ? (
        <p>{t('audit:checkpoints.empty')}</p>
      ) : (
        <div className="table-wrap" style={tableWrapStyle}>
          <table>
            <caption className="visually-hidden">{t('audit:checkpoints.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit:checkpoints.seq')}</th>
                <th scope="col">{t('audit:checkpoints.signedAt')}</th>
                <th scope="col">{t('audit:checkpoints.statement')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((cp) => (
                <tr key={cp.id}>
                  <td className="num">{formatNumber(i18n.language, cp.seq)}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>
                    <time dateTime={cp.signedAt}>{formatDateTime(i18n.language, cp.signedAt)}</time>
                  </td>
                  <td>
                    <details>
                      <summary
                        style={{
                          minHeight: 44,
                          display: 'list-item',
                          cursor: 'pointer',
                          paddingTop: '0.6rem',
                        }}
                      >
                        <span style={mono}>{cp.hash.slice(0, 16)}…</span>
                        <span className="visually-hidden"> {t('audit:checkpoints.show')}</span>
                      </summary>
                      <dl className="facts" style={factsGrid}>
                        <dt>{t('audit:checkpoints.statement')}</dt>
                        <dd style={{ ...mono, ...wrapAnywhere }}>{cp.statement}</dd>
                        <dt>{t('audit:checkpoints.signature')}</dt>
                        <dd style={{ ...mono, ...wrapAnywhere }}>{cp.signature}</dd>
                        <dt>{t('audit:checkpoints.publicKey')}</dt>
                        <dd style={{ ...mono, ...wrapAnywhere }}>{cp.publicKey}</dd>
                      </dl>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="actions">
          <button
            type="button"
            className="button secondary"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {list.isFetchingNextPage ? t('common:loading') : t('audit:checkpoints.more')}
          </button>
        </div>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

/**
 * The audit trail: filtered, paged by cursor, each event opening on what it changed; CSV and
 * background exports of the filtered set; chain verification and signed checkpoints for those who
 * may verify.
 */
export default function AuditPage() {
  const { t } = useTranslation(['audit', 'common', 'errors']);
  const { can } = useSession();
  const problemText = useProblemText();
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const resultsRef = useRef<HTMLHeadingElement>(null);
  const cursor = params.get('cursor');
  const earlier = (location.state as PagerState | null)?.auditCursors ?? [];
  const filter = apiFilter(params);
  const canVerify = can('audit.verify');

  const events = useQuery({
    queryKey: ['audit-events', filter, cursor],
    queryFn: ({ signal }) =>
      get<Page<AuditEvent>>(`/audit-events${query({ ...filter, cursor, limit: PAGE_SIZE })}`, signal),
    placeholderData: keepPreviousData,
  });

  function applyDraft(draft: Draft) {
    const next = new URLSearchParams();
    for (const k of TEXT_FILTERS) {
      const v = draft[k].trim();
      if (v) next.set(k, v);
    }
    setParams(next);
  }

  /** Cursors only go forward; those of earlier pages ride in the history entry, for "previous". */
  function goTo(nextCursor: string, stack: string[]) {
    const next = new URLSearchParams(params);
    if (nextCursor) next.set('cursor', nextCursor);
    else next.delete('cursor');
    setParams(next, { state: { auditCursors: stack } satisfies PagerState, preventScrollReset: true });
    resultsRef.current?.focus();
  }

  const count = events.data?.items.length ?? 0;

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit:title')}</h1>
      <p className="lead">{t('audit:intro')}</p>

      <Filters applied={params} onApply={applyDraft} />

      <h2 id="audit-results-title" ref={resultsRef} tabIndex={-1}>
        {t('audit:table.title')}
      </h2>
      <p role="status" className="hint">
        {events.isPlaceholderData
          ? t('common:loading')
          : events.data &&
            (cursor ? t('audit:table.countLater', { count }) : t('audit:table.count', { count }))}
      </p>
      {events.isPending ? (
        <p className="loading">{t('common:loading')}</p>
      ) : events.error ? (
        <div className="form-error" role="alert">
          <p style={{ marginTop: 0 }}>{problemText(events.error)}</p>
          {cursor && (
            <button type="button" className="button secondary" onClick={() => goTo('', [])}>
              {t('common:actions.previous')}
            </button>
          )}
        </div>
      ) : events.data.items.length === 0 ? (
        <p className="panel">{t('audit:table.empty')}</p>
      ) : (
        <EventsTable
          events={events.data.items}
          busy={events.isFetching}
          onFilter={(patch) => {
            applyDraft({ ...draftFrom(new URLSearchParams()), ...patch });
            window.scrollTo({ top: 0 });
          }}
        />
      )}
      {(cursor || events.data?.nextCursor) && (
        <nav className="pager" aria-label={t('audit:table.pages')}>
          <div className="actions" style={{ margin: 0 }}>
            {cursor && (
              <button type="button" className="button secondary" onClick={() => goTo('', [])}>
                {t('common:actions.previous')}
              </button>
            )}
            {cursor && earlier.length > 0 && (
              <button
                type="button"
                className="button secondary"
                onClick={() => goTo(earlier[earlier.length - 1] ?? '', earlier.slice(0, -1))}
              >
                {t('audit:table.previousPage')}
              </button>
            )}
          </div>
          {events.data?.nextCursor && !events.isPlaceholderData && (
            <button
              type="button"
              className="button secondary"
              onClick={() =>
                events.data?.nextCursor && goTo(events.data.nextCursor, [...earlier, cursor ?? ''])
              }
            >
              {t('common:actions.next')}
            </button>
          )}
        </nav>
      )}

      <ExportTools filter={filter} />
      {canVerify && <VerifyChain />}
      <Checkpoints canSign={canVerify} />
    </section>
  );
}
