import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useCallback, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useSearchParams } from 'react-router';
import { ApiError, get, NetworkError, query } from '../api/client.ts';

/**
 * A list from the server, a page at a time. Filters, sort and page live in the address (?q=…&sort=…
 * &cursor=…), so a view can be bookmarked and the back button returns to the previous page. Cursors
 * only go forward: the cursors of earlier pages are kept in the history entry's state, which is
 * what makes "previous page" possible; a bookmarked page still offers "first page".
 */

export interface DataTableColumn<Row> {
  key: string;
  /** Translated column title. */
  header: string;
  cell(row: Row): ReactNode;
  /** The API's sort key for this column ('name' sorts ascending, '-name' descending). */
  sortKey?: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** The cell that names the row: a row header (th scope="row") for screen readers. */
  rowHeader?: boolean;
}

export interface DataTableProps<Row> {
  /** API path under /api/v1 answering { items, nextCursor }, e.g. '/users'. */
  endpoint: string;
  columns: readonly DataTableColumn<Row>[];
  rowKey(row: Row): string;
  /** Translated table caption; visually hidden unless captionVisible. */
  caption: string;
  captionVisible?: boolean;
  /** Address parameters sent to the API as filters (the caller's filter controls set them). */
  filterParams?: readonly string[];
  /** The sort sent when the address has none. */
  defaultSort?: string;
  pageSize?: number;
  /** Filter controls shown above the table (see useTableFilters). */
  filters?: ReactNode;
  children?: ReactNode;
  /** Offer the whole filtered, sorted list as CSV (the API answers format=csv). */
  csv?: boolean;
  /** Name proposed for the downloaded file. */
  csvFileName?: string;
  /** Translated text when there are no rows; a general one otherwise. */
  emptyText?: string;
}

interface Page<Row> {
  items: Row[];
  nextCursor: string | null;
}

/** The history entry's state: cursors of the pages before this one ('' is the first page). */
interface PagerState {
  dataTableCursors?: string[];
}

/** The query key prefix of a table: invalidate it after a change to reload every page. */
export function tableQueryKey(endpoint: string): readonly unknown[] {
  return ['data-table', endpoint];
}

/**
 * Reads and sets a table's filters in the address. Setting them starts again at the first page and
 * adds a history entry, so "back" undoes a search.
 */
export function useTableFilters<K extends string>(
  keys: readonly K[],
): {
  values: Record<K, string>;
  apply(next: Partial<Record<K, string>>): void;
  clear(): void;
} {
  const [params, setParams] = useSearchParams();
  const values = useMemo(
    () => Object.fromEntries(keys.map((k) => [k, params.get(k) ?? ''])) as Record<K, string>,
    [keys, params],
  );
  const apply = useCallback(
    (next: Partial<Record<K, string>>) => {
      setParams((current) => {
        const p = new URLSearchParams(current);
        for (const [k, v] of Object.entries(next) as [K, string | undefined][]) {
          if (v) p.set(k, v);
          else p.delete(k);
        }
        p.delete('cursor');
        return p;
      });
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setParams((current) => {
      const p = new URLSearchParams(current);
      for (const k of keys) p.delete(k);
      p.delete('cursor');
      return p;
    });
  }, [keys, setParams]);
  return { values, apply, clear };
}

function errorKey(error: unknown): string {
  if (error instanceof ApiError) return `errors:${error.code}`;
  if (error instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

export function DataTable<Row>({
  endpoint,
  columns,
  rowKey,
  caption,
  captionVisible = false,
  filterParams = [],
  defaultSort,
  pageSize = 50,
  filters,
  children,
  csv = false,
  csvFileName,
  emptyText,
}: DataTableProps<Row>) {
  const { t } = useTranslation(['forms', 'errors']);
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const captionId = useId();
  const cursors = (location.state as PagerState | null)?.dataTableCursors;
  const cursor = params.get('cursor') ?? '';
  const sort = params.get('sort') ?? defaultSort ?? '';

  const filterValues = useMemo(() => {
    const out: Record<string, string> = {};
    for (const k of filterParams) {
      const v = params.get(k);
      if (v) out[k] = v;
    }
    return out;
  }, [filterParams, params]);

  const qs = query({
    ...filterValues,
    sort: sort || undefined,
    limit: pageSize,
    cursor: cursor || undefined,
  });
  const csvHref = `/api/v1${endpoint}${query({ ...filterValues, sort: sort || undefined, format: 'csv' })}`;

  const result = useQuery({
    queryKey: [...tableQueryKey(endpoint), qs],
    queryFn: ({ signal }) => get<Page<Row>>(`${endpoint}${qs}`, signal),
    placeholderData: keepPreviousData,
  });

  // Page numbers are known when the earlier cursors are (not after opening a bookmarked page).
  const pageNumber = cursor === '' ? 1 : cursors ? cursors.length + 1 : null;

  const goTo = (nextCursor: string, stack: string[]) => {
    setParams(
      (current) => {
        const p = new URLSearchParams(current);
        if (nextCursor) p.set('cursor', nextCursor);
        else p.delete('cursor');
        return p;
      },
      { state: { dataTableCursors: stack } satisfies PagerState, preventScrollReset: true },
    );
  };

  const sortBy = (key: string) => {
    const next = sort === key ? `-${key}` : key;
    setParams((current) => {
      const p = new URLSearchParams(current);
      p.set('sort', next);
      p.delete('cursor');
      return p;
    });
  };

  const data = result.data;
  const rows = data?.items ?? [];
  const showingOld = result.isPlaceholderData;

  let status = '';
  if (result.isPending) status = t('forms:table.loading');
  else if (result.isError && !data) status = '';
  else if (showingOld && result.isFetching) status = t('forms:table.loading');
  else if (data)
    status =
      pageNumber === null
        ? t('forms:table.shown', { count: rows.length })
        : t('forms:table.shownOnPage', { count: rows.length, page: pageNumber });

  return (
    <div className="data-table">
      {filters}
      {children}
      {result.isError && (
        <div className="form-error" role="alert">
          <p>{t(errorKey(result.error), { defaultValue: t('errors:unknown') })}</p>
          <div className="actions">
            {result.error instanceof ApiError && result.error.code === 'request.invalid_cursor' ? (
              <button type="button" className="button secondary" onClick={() => goTo('', [])}>
                {t('forms:table.first')}
              </button>
            ) : (
              <button type="button" className="button secondary" onClick={() => void result.refetch()}>
                {t('forms:table.retry')}
              </button>
            )}
          </div>
        </div>
      )}
      <p role="status" className="visually-hidden">
        {status}
      </p>
      {/* A scrollable region must be reachable by keyboard to be scrolled without a mouse. Positioned,
          so the visually hidden texts inside scroll with the table instead of widening the page. */}
      <section
        className="table-wrap"
        aria-labelledby={captionId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
        tabIndex={0}
        style={{ position: 'relative' }}
      >
        <table aria-busy={result.isFetching}>
          <caption id={captionId} className={captionVisible ? undefined : 'visually-hidden'}>
            {caption}
          </caption>
          <thead>
            <tr>
              {columns.map((c) => {
                const sorted = c.sortKey && (sort === c.sortKey || sort === `-${c.sortKey}`);
                const direction = sorted ? (sort.startsWith('-') ? 'descending' : 'ascending') : undefined;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    className={c.numeric ? 'num' : undefined}
                    aria-sort={direction}
                    style={{ verticalAlign: 'middle' }}
                  >
                    {c.sortKey ? (
                      <button type="button" onClick={() => sortBy(c.sortKey!)}>
                        {c.header}
                        <span aria-hidden="true">
                          {direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}
                        </span>
                        <span className="visually-hidden">
                          {direction === 'ascending'
                            ? t('forms:table.sortedAscending')
                            : direction === 'descending'
                              ? t('forms:table.sortedDescending')
                              : ''}
                        </span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {result.isPending ? (
              <tr>
                <td colSpan={columns.length}>{t('forms:table.loading')}</td>
              </tr>
            ) : rows.length === 0 && !result.isError ? (
              <tr>
                <td colSpan={columns.length}>{emptyText ?? t('forms:table.empty')}</td>
              </tr>
            ) : (
              rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((c) => {
                    const cls = c.numeric ? 'num' : undefined;
                    return c.rowHeader ? (
                      <th key={c.key} scope="row" className={cls} style={{ background: 'inherit' }}>
                        {c.cell(row)}
                      </th>
                    ) : (
                      <td key={c.key} className={cls}>
                        {c.cell(row)}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
      <nav className="pager" aria-label={t('forms:table.pagination')}>
        <div className="actions" style={{ margin: 0 }}>
          <button
            type="button"
            className="button secondary"
            disabled={cursor === ''}
            onClick={() => goTo('', [])}
          >
            {t('forms:table.first')}
          </button>
          <button
            type="button"
            className="button secondary"
            disabled={cursor === '' || !cursors || cursors.length === 0}
            onClick={() => {
              const stack = cursors ?? [];
              goTo(stack[stack.length - 1] ?? '', stack.slice(0, -1));
            }}
          >
            {t('forms:table.previous')}
          </button>
          <button
            type="button"
            className="button secondary"
            disabled={!data?.nextCursor || showingOld}
            onClick={() => data?.nextCursor && goTo(data.nextCursor, [...(cursors ?? []), cursor])}
          >
            {t('forms:table.next')}
          </button>
        </div>
        {pageNumber !== null && data && <span>{t('forms:table.page', { page: pageNumber })}</span>}
        {csv && (
          <a className="button secondary" href={csvHref} download={csvFileName ?? true}>
            {t('forms:table.downloadCsv')}
          </a>
        )}
      </nav>
    </div>
  );
}
