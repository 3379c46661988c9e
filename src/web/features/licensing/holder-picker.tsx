import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { HOLDER_KINDS } from '../../../shared/schemas/licensing.ts';
import { get, query } from '../../api/client.ts';
import { SelectField, TextField } from '../../components/form.tsx';
import { type HolderKind, HolderName, holderLabel, problemKey } from './licensing-common.tsx';

interface HolderHit {
  id: string;
  reference: string;
  name?: string;
  givenName?: string;
  familyName?: string;
}

const SEARCH_PATHS: Record<HolderKind, string> = {
  person: '/people',
  enterprise: '/enterprises',
  production_unit: '/production-units',
};

/**
 * Search by name among people, enterprises or production units, and choose one (the application
 * form's applicant, a transfer's new holder).
 */
export function HolderPicker({
  kind,
  holderId,
  error,
  kindError,
  onKind,
  onChoose,
  legend,
  kinds = HOLDER_KINDS,
}: {
  kind: HolderKind;
  holderId: string;
  error: string | undefined;
  kindError: string | undefined;
  onKind(kind: HolderKind): void;
  onChoose(id: string): void;
  /** The fieldset's legend; "Who applies" when left out. */
  legend?: string;
  /** The kinds of holder offered. */
  kinds?: readonly HolderKind[];
}) {
  const { t } = useTranslation(['licensing', 'errors']);
  const [text, setText] = useState('');
  const [q, setQ] = useState<string | null>(null);
  const resultsId = useId();

  const results = useQuery({
    queryKey: ['holder-search', kind, q],
    enabled: q !== null,
    queryFn: async ({ signal }) => {
      // Production units have no name search on the server: their list is read and filtered here.
      const path =
        kind === 'production_unit'
          ? `${SEARCH_PATHS[kind]}${query({ limit: 500 })}`
          : `${SEARCH_PATHS[kind]}${query({ q: q || undefined, limit: 20 })}`;
      const page = await get<{ items: HolderHit[] }>(path, signal);
      const needle = (q ?? '').toLocaleLowerCase();
      return kind === 'production_unit'
        ? page.items.filter((u) => (u.name ?? '').toLocaleLowerCase().includes(needle)).slice(0, 20)
        : page.items;
    },
  });

  function search(e: { preventDefault(): void }) {
    e.preventDefault();
    setQ(text.trim().slice(0, 200));
  }

  return (
    <fieldset className="holder-picker">
      <legend>{legend ?? t('licensing:new.holderTitle')}</legend>
      <SelectField
        label={t('licensing:fields.holderKind')}
        name="holderKind"
        value={kind}
        error={kindError}
        options={kinds.map((k) => ({ value: k, label: t(`licensing:holderKinds.${k}`) }))}
        onChange={(k) => {
          onKind(k as HolderKind);
          setQ(null);
        }}
      />
      {holderId ? (
        <p className="chosen-holder">
          {t('licensing:new.chosen')}{' '}
          <strong>
            <HolderName kind={kind} id={holderId} />
          </strong>{' '}
          <button type="button" className="button secondary" onClick={() => onChoose('')}>
            {t('licensing:new.change')}
          </button>
        </p>
      ) : (
        <>
          <div className="holder-search">
            <TextField
              label={t('licensing:new.search')}
              type="search"
              value={text}
              maxLength={200}
              autoComplete="off"
              // Said here, where the holder is chosen: the form sends the chosen holder's id.
              error={error ? t('licensing:new.holderRequired') : undefined}
              onChange={setText}
              onKeyDown={(e) => {
                if (e.key === 'Enter') search(e);
              }}
            />
            <button type="button" className="button secondary" aria-controls={resultsId} onClick={search}>
              {t('licensing:new.searchButton')}
            </button>
          </div>
          <div id={resultsId} aria-live="polite">
            {results.isFetching && <p>{t('licensing:new.searching')}</p>}
            {results.isError && <p className="field-error">{t(problemKey(results.error))}</p>}
            {results.data && results.data.length === 0 && <p>{t('licensing:new.noResults')}</p>}
            {results.data && results.data.length > 0 && (
              <ul className="holder-results">
                {results.data.map((h) => (
                  <li key={h.id}>
                    <span>{holderLabel(h)}</span>{' '}
                    <button
                      type="button"
                      className="button secondary"
                      aria-label={t('licensing:new.chooseHolder', { name: holderLabel(h) })}
                      onClick={() => onChoose(h.id)}
                    >
                      {t('licensing:new.choose')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </fieldset>
  );
}
