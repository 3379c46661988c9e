import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime, formatNumber } from '../../shared/format.ts';
import { FINISHED_TASK_STATUSES, type TaskDto, type TaskStatus } from '../../shared/schemas/tasks.ts';
import { ApiError, api, get, NetworkError } from '../api/client.ts';

/** How often a task that is still queued or running is asked about (ms). */
export const TASK_POLL_INTERVAL = 1_500;

export function isTaskFinished(status: TaskStatus): boolean {
  return FINISHED_TASK_STATUSES.includes(status);
}

/** The query key of one task; the list of tasks is under ['tasks']. */
export const taskQueryKey = (id: string) => ['task', id] as const;

export interface TaskProgressProps {
  /** The task to follow. */
  taskId: string;
  /** What is already known (the 202 answer, or the row of the list): shown at once, then refreshed. */
  initial?: TaskDto;
  /** Level of the heading naming the task (default 3). */
  headingLevel?: 2 | 3 | 4;
  /** Called once when the task is seen to reach a final status while this component shows it. */
  onFinished?: (task: TaskDto) => void;
  /** Extra lines under the heading (for example the filters of an export). */
  children?: ReactNode;
}

/** A translated sentence for a stable error code: tasks namespace first, then the general one. */
export function useErrorText(): (err: unknown) => string {
  const { t } = useTranslation(['tasks', 'errors']);
  return (err) => {
    if (err instanceof NetworkError) return t('errors:network');
    if (err instanceof ApiError || typeof err === 'string') {
      const code = typeof err === 'string' ? err : err.code;
      return t(`tasks:errorCodes.${code}`, {
        defaultValue: t(`errors:${code}`, { defaultValue: t('errors:unknown') }),
      });
    }
    return t('errors:unknown');
  };
}

function formatBytes(locale: string, bytes: number): string {
  const [value, unit] =
    bytes >= 1_000_000
      ? [bytes / 1_000_000, 'megabyte']
      : bytes >= 1_000
        ? [bytes / 1_000, 'kilobyte']
        : [bytes, 'byte'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}

const progressStyle = { accentColor: 'var(--green)' } as const;

const STATUS_BADGE: Record<TaskStatus, string> = {
  queued: 'badge',
  running: 'badge',
  succeeded: 'badge ok',
  failed: 'badge off',
  cancelled: 'badge off',
};

/**
 * One background task: its status, a progress bar with the rows written, a cancel button while it
 * runs and the download link once it has succeeded. Asks the server every 1.5 s while the task is
 * queued or running, and says in a polite live region when it ends.
 */
export function TaskProgress({ taskId, initial, headingLevel = 3, onFinished, children }: TaskProgressProps) {
  const { t, i18n } = useTranslation(['tasks', 'common', 'errors']);
  const locale = i18n.language;
  const queryClient = useQueryClient();
  const errorText = useErrorText();
  const titleId = useId();
  const textId = useId();
  const [announcement, setAnnouncement] = useState('');
  const [actionError, setActionError] = useState<string | null>(null);

  const task = useQuery({
    queryKey: taskQueryKey(taskId),
    queryFn: ({ signal }) => get<TaskDto>(`/tasks/${taskId}`, signal),
    initialData: initial,
    refetchInterval: (q) =>
      q.state.data && isTaskFinished(q.state.data.status) ? false : TASK_POLL_INTERVAL,
  });

  const cancel = useMutation({
    mutationFn: async () => (await api<TaskDto>(`/tasks/${taskId}/cancel`, { method: 'POST' })).data,
    onMutate: () => setActionError(null),
    onSuccess: (data) => queryClient.setQueryData(taskQueryKey(taskId), data),
    onError: (err) => {
      setActionError(errorText(err));
      void task.refetch();
    },
  });

  // Announce the end only when this screen saw the task still at work: a finished task in the list
  // is not news.
  const data = task.data;
  const seenRunning = useRef(false);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;
  useEffect(() => {
    if (!data) return;
    if (!isTaskFinished(data.status)) {
      seenRunning.current = true;
      return;
    }
    if (!seenRunning.current) return;
    seenRunning.current = false;
    const kind = t(`tasks:kinds.${data.kind}`, { defaultValue: data.kind });
    setAnnouncement(t(`tasks:announce.${data.status}`, { kind }));
    void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    onFinishedRef.current?.(data);
  }, [data, t, queryClient]);

  const Heading = `h${headingLevel}` as const;

  if (!data) {
    return (
      <article className="panel" aria-labelledby={titleId}>
        <Heading id={titleId} style={{ marginTop: 0 }}>
          {t('tasks:loadingTask')}
        </Heading>
        {task.error ? (
          <p className="form-error" role="alert">
            {errorText(task.error)}
          </p>
        ) : (
          <p className="loading">{t('common:loading')}</p>
        )}
      </article>
    );
  }

  const finished = isTaskFinished(data.status);
  const { done, total } = data.progress;
  const known = total !== null;
  const max = Math.max(known ? total : 0, done, 1);
  const value = data.status === 'succeeded' ? max : done;
  const indeterminate = !known && !finished;
  const count = known
    ? t('tasks:progress.of', {
        count: total,
        done: formatNumber(locale, done),
        total: formatNumber(locale, total),
      })
    : data.status === 'queued'
      ? t('tasks:progress.waiting')
      : t('tasks:progress.soFar', { count: done, done: formatNumber(locale, done) });

  return (
    <article className="panel" aria-labelledby={titleId}>
      <Heading id={titleId} style={{ marginTop: 0 }}>
        {t(`tasks:kinds.${data.kind}`, { defaultValue: data.kind })}
      </Heading>
      {children}
      <p>
        <span className={STATUS_BADGE[data.status]}>{t(`tasks:status.${data.status}`)}</span>{' '}
        <span className="hint">
          {data.finishedAt
            ? t('tasks:finishedAt', { time: formatDateTime(locale, data.finishedAt) })
            : t('tasks:createdAt', { time: formatDateTime(locale, data.createdAt) })}
        </span>
      </p>
      {indeterminate ? (
        <progress aria-labelledby={titleId} aria-describedby={textId} style={progressStyle} />
      ) : (
        <progress
          aria-labelledby={titleId}
          aria-describedby={textId}
          value={value}
          max={max}
          style={progressStyle}
        />
      )}
      <p id={textId} style={{ marginTop: '0.25rem' }}>
        {count}
      </p>
      {data.status === 'failed' && (
        <p className="form-error">{errorText(data.errorCode ?? 'task.internal')}</p>
      )}
      {data.message && (
        <p className="hint">
          {t('tasks:serverNote')} <span lang="en">{data.message}</span>
        </p>
      )}
      {actionError && (
        <p className="form-error" role="alert">
          {actionError}
        </p>
      )}
      <div className="actions" style={{ marginBottom: 0 }}>
        {data.status === 'succeeded' && data.result && (
          <a className="button primary" href={data.result.downloadUrl} download={data.result.name}>
            {t('tasks:download')}
            <span className="visually-hidden"> {data.result.name}</span>
            <span style={{ fontWeight: 400 }}>({formatBytes(locale, data.result.bytes)})</span>
          </a>
        )}
        {!finished && (
          <button
            type="button"
            className="button danger"
            disabled={cancel.isPending}
            aria-describedby={titleId}
            onClick={() => cancel.mutate()}
          >
            {cancel.isPending ? t('tasks:cancelling') : t('tasks:cancel')}
          </button>
        )}
      </div>
      {/* Always in the page, so that screen readers already watch it when the text arrives. */}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
    </article>
  );
}
