import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { StandardResponse, SubjectDto } from '../../../shared/schemas/improvement.ts';
import { get } from '../../api/client.ts';
import { makePick } from '../licensing/licensing-common.tsx';

/** Shared pieces of the improvement screens: the standard of a country and level names. */
export type SubjectKind = SubjectDto['subjectKind'];

export const subjectKey = (kind: string, id: string) => ['improvement-subject', kind, id];

/** The improvement standard of a country, with a picker of its texts in the interface language. */
export function useStandard(country: string | undefined, enabled = true) {
  const { i18n } = useTranslation();
  const result = useQuery({
    queryKey: ['improvement-standard', country],
    queryFn: ({ signal }) => get<StandardResponse>(`/improvement/standard?country=${country}`, signal),
    enabled: enabled && country !== undefined,
    staleTime: 300_000,
    retry: false,
  });
  const pick = useMemo(() => makePick(i18n.language, []), [i18n.language]);
  return { standard: result.data?.standard, pick };
}

/** A level as people read it: its name in the standard and its rank, or "below level 1". */
export function LevelName({
  level,
  standard,
}: {
  level: number;
  standard: StandardResponse['standard'] | undefined;
}) {
  const { t, i18n } = useTranslation('improvement');
  const pick = useMemo(() => makePick(i18n.language, []), [i18n.language]);
  if (level === 0) return <span>{t('improvement:levels.none')}</span>;
  const found = standard?.levels[level - 1];
  if (!found) return <span>{t('improvement:levels.number', { level })}</span>;
  const { text, lang } = pick(found.names);
  return <span lang={lang}>{text}</span>;
}
