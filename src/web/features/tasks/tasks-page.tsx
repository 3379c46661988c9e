import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../shared/format.ts';
import type { TaskDto } from '../../../shared/schemas/tasks.ts';
import { get, query } from '../../api/client.ts';
import { AreaName } from '../../app/shell.tsx';
import { TaskProgress, useErrorText } from '../../components/task-progress.tsx';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const PAGE_SIZE = 20;
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The filters an export was started with, in words: what the file will hold. */
function TaskParams({ params }: { params: Record<string, unknown> }) {
  const { t, i18n } = useTranslation(['tasks', 'audit', 'common']);
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (entries.length === 0) return <p className="hint">{t('tasks:params.none')}</p>;

  const value = (key: string, v: unknown) => {
    if (typeof v !== 'string')
      return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
    if (key === 'areaId') return <AreaName id={v} />;
    if (key === 'action' && /^[a-z_]+\.[a-z_]+$/.test(v)) return t(`audit:actions.${v}`, { defaultValue: v });
    if (key === 'entityType' && SIMPLE_KEY.test(v)) return t(`audit:entityTypes.${v}`, { defaultValue: v });
    if (key === 'status' && SIMPLE_KEY.test(v)) return t(`common:status.${v}`, { defaultValue: v });
    if (ISO_INSTANT.test(v)) return formatDateTime(i18n.language, v);
    return v;
  };

  return (
    <dl className="facts" style={{ gridTemplateColumns: 'fit-content(45%) minmax(0, 1fr)', marginTop: 0 }}>
      {entries.map(([key, v]) => (
        <div key={key} style={{ display: 'contents' }}>
          <dt>{SIMPLE_KEY.test(key) ? t(`tasks:params.${key}`, { defaultValue: key }) : key}</dt>
          <dd style={{ overflowWrap: 'anywhere' }}>{value(key, v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The caller's background tasks, newest first. Each one follows its own progress; the server does
 * the work, so the person can leave and come back.
 */
export default function TasksPage() {
  const { t } = useTranslation(['tasks', 'common', 'errors']);
  const errorText = useErrorText();
  const [cursor, setCursor] = useState<string | null>(null);

  const tasks = useQuery({
    queryKey: ['tasks', cursor],
    queryFn: ({ signal }) => get<Page<TaskDto>>(`/tasks${query({ limit: PAGE_SIZE, cursor })}`, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">{t('tasks:title')}</h1>
      <p className="lead">{t('tasks:intro')}</p>
      <p className="notice">{t('tasks:leaveAndComeBack')}</p>

      <div className="actions">
        <button
          type="button"
          className="button secondary"
          onClick={() => void tasks.refetch()}
          disabled={tasks.isFetching}
        >
          {tasks.isFetching ? t('common:loading') : t('tasks:refresh')}
        </button>
      </div>

      {tasks.isPending ? (
        <p className="loading">{t('common:loading')}</p>
      ) : tasks.error ? (
        <div className="form-error" role="alert">
          <p style={{ margin: 0 }}>{errorText(tasks.error)}</p>
        </div>
      ) : tasks.data.items.length === 0 ? (
        <div className="panel">
          <p style={{ marginTop: 0 }}>{t('tasks:empty')}</p>
          <p className="hint">{t('tasks:emptyHint')}</p>
        </div>
      ) : (
        <ul aria-labelledby="tasks-title" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {tasks.data.items.map((task) => (
            <li key={task.id}>
              <TaskProgress taskId={task.id} initial={task} headingLevel={2}>
                <TaskParams params={task.params} />
              </TaskProgress>
            </li>
          ))}
        </ul>
      )}

      {(cursor || tasks.data?.nextCursor) && (
        <nav className="pager" aria-label={t('tasks:pages')}>
          {cursor ? (
            <button type="button" className="button secondary" onClick={() => setCursor(null)}>
              {t('common:actions.previous')}
            </button>
          ) : (
            <span />
          )}
          {tasks.data?.nextCursor && (
            <button
              type="button"
              className="button secondary"
              onClick={() => setCursor(tasks.data?.nextCursor ?? null)}
            >
              {t('common:actions.next')}
            </button>
          )}
        </nav>
      )}
    </section>
  );
}
