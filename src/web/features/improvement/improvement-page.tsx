import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import type { AssessmentSummaryDto } from '../../../shared/schemas/improvement.ts';
import { useSession } from '../../app/session.tsx';
import { DataTable, type DataTableColumn } from '../../components/data-table.tsx';
import { HolderName } from '../licensing/licensing-common.tsx';

/** Assessments recorded in the user's areas, newest first; each leads to where its producer stands. */
export default function ImprovementPage() {
  const { t, i18n } = useTranslation('improvement');
  const { can } = useSession();
  const names = can('registry.read');
  const title = t('improvement:list.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<AssessmentSummaryDto>[] = [
    {
      key: 'subject',
      header: t('improvement:list.subject'),
      rowHeader: true,
      cell: (a) => (
        <Link to={`/improvement/${a.subjectKind}/${a.subjectId}`}>
          {names ? (
            <HolderName kind={a.subjectKind} id={a.subjectId} />
          ) : (
            t(`improvement:subjectKinds.${a.subjectKind}`)
          )}
        </Link>
      ),
    },
    { key: 'kind', header: t('improvement:history.kind'), cell: (a) => t(`improvement:kinds.${a.kind}`) },
    {
      key: 'level',
      header: t('improvement:history.level'),
      numeric: true,
      cell: (a) =>
        a.level === 0 ? t('improvement:levels.none') : t('improvement:levels.number', { level: a.level }),
    },
    {
      key: 'met',
      header: t('improvement:history.met'),
      numeric: true,
      cell: (a) =>
        t('improvement:history.percent', { percent: a.metPercent, met: a.met, applicable: a.applicable }),
    },
    {
      key: 'date',
      header: t('improvement:history.date'),
      cell: (a) => formatDate(i18n.language, a.assessedAt),
    },
  ];

  return (
    <section aria-labelledby="improvement-list-title">
      <h1 id="improvement-list-title">{title}</h1>
      <p>{t('improvement:list.intro')}</p>
      <DataTable<AssessmentSummaryDto>
        endpoint="/improvement/assessments"
        columns={columns}
        rowKey={(a) => a.id}
        caption={t('improvement:list.caption')}
        emptyText={t('improvement:list.empty')}
      />
    </section>
  );
}
