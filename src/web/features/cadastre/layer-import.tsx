import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { uuidv7 } from '../../../shared/ids.ts';
import type { FeatureProblem, ImportResult, Layer } from '../../../shared/schemas/cadastre.ts';
import { ApiError, api, NetworkError, query } from '../../api/client.ts';
import { FormError } from '../../components/form.tsx';
import { ProblemWhere, useProblemText } from './geometry-problems.tsx';

interface CsvLineError {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

type Outcome =
  | { kind: 'loaded'; result: ImportResult }
  | { kind: 'refused'; problems: FeatureProblem[]; failedFeatures: number }
  | { kind: 'csv'; errors: CsvLineError[]; count: number };

const isCsv = (file: File) => /\.csv$/i.test(file.name) || file.type === 'text/csv';

/**
 * The CSV goes as text/csv, which the JSON client does not send: the same headers, cookie and
 * problem+json handling, by hand.
 */
async function postCsv(path: string, text: string): Promise<ImportResult> {
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'text/csv; charset=utf-8',
        'idempotency-key': uuidv7(),
      },
      credentials: 'same-origin',
      body: text,
    });
  } catch {
    throw new NetworkError();
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    throw new ApiError(
      res.status,
      typeof body.code === 'string' ? body.code : `http.${res.status}`,
      typeof body.title === 'string' ? body.title : res.statusText,
      [],
      body,
    );
  }
  return body as unknown as ImportResult;
}

/**
 * Importing a GeoJSON or CSV file into one layer: the options of the API, then what was loaded, or
 * why nothing was.
 */
export function LayerImport({ layer, onImported }: { layer: Layer; onImported: () => void }) {
  const { t, i18n } = useTranslation(['cadastre', 'errors']);
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [safeRepairs, setSafeRepairs] = useState(true);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const count = (n: number) => new Intl.NumberFormat(i18n.language).format(n);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setOutcome(null);
    setProblem(null);
    if (!file) {
      setProblem(t('cadastre:import.chooseFile'));
      return;
    }
    setBusy(true);
    const path = (suffix: string) =>
      `/cadastre/layers/${layer.id}/${suffix}${query({
        skipInvalid: skipInvalid ? 'true' : undefined,
        repair: safeRepairs ? 'safe' : 'none',
      })}`;
    try {
      const text = await file.text();
      let result: ImportResult;
      if (isCsv(file)) result = await postCsv(path('import.csv'), text);
      else {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          setProblem(t('cadastre:import.notJson'));
          return;
        }
        result = (await api<ImportResult>(path('import'), { method: 'POST', body })).data;
      }
      setOutcome({ kind: 'loaded', result });
      onImported();
    } catch (err) {
      const body = err instanceof ApiError ? err.body : {};
      if (err instanceof ApiError && err.code === 'cadastre.import_failed') {
        setOutcome({
          kind: 'refused',
          problems: (body.features as FeatureProblem[] | undefined) ?? [],
          failedFeatures: Number(body.failedFeatures ?? 0),
        });
      } else if (err instanceof ApiError && err.code === 'cadastre.csv_invalid') {
        setOutcome({
          kind: 'csv',
          errors: (body.csvErrors as CsvLineError[] | undefined) ?? [],
          count: Number(body.csvErrorCount ?? 0),
        });
      } else if (err instanceof ApiError) {
        setProblem(t(`errors:${err.code}`, { defaultValue: t('errors:unknown') }));
      } else {
        setProblem(t(err instanceof NetworkError ? 'errors:network' : 'errors:unknown'));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel layer-import" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('cadastre:import.title', { name: layer.name })}</h2>
      <p className="hint">{t('cadastre:import.formats')}</p>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-file`}>{t('cadastre:import.file')}</label>
          <input
            id={`${id}-file`}
            type="file"
            accept=".geojson,.json,.csv,application/geo+json,application/json,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setOutcome(null);
            }}
          />
        </div>
        <label className="radio">
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} />
          {t('cadastre:import.skipInvalid')}
        </label>
        <label className="radio">
          <input type="checkbox" checked={safeRepairs} onChange={(e) => setSafeRepairs(e.target.checked)} />
          {t('cadastre:import.safeRepairs')}
        </label>
        <p className="hint">{t('cadastre:import.safeRepairsHint')}</p>
        <FormError>{problem}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('cadastre:import.sending') : t('cadastre:import.submit')}
          </button>
        </div>
      </form>

      {outcome?.kind === 'loaded' && (
        <>
          <p className="notice" role="status">
            {t('cadastre:import.loaded', {
              count: outcome.result.loaded,
              repaired: count(outcome.result.repaired),
              skipped: count(outcome.result.skipped),
            })}
          </p>
          {outcome.result.skippedFeatures.length > 0 && (
            <FeatureProblemsTable
              caption={t('cadastre:import.skippedCaption')}
              problems={outcome.result.skippedFeatures}
            />
          )}
        </>
      )}
      {outcome?.kind === 'refused' && (
        <>
          <p className="form-error" role="alert">
            {t('cadastre:import.nothingLoaded', { count: outcome.failedFeatures })}
          </p>
          <FeatureProblemsTable caption={t('cadastre:import.problemsCaption')} problems={outcome.problems} />
        </>
      )}
      {outcome?.kind === 'csv' && (
        <>
          <p className="form-error" role="alert">
            {t('cadastre:import.csvNothingLoaded', { count: outcome.count })}
          </p>
          <CsvErrorsTable errors={outcome.errors} count={outcome.count} />
        </>
      )}
    </section>
  );
}

function FeatureProblemsTable({ caption, problems }: { caption: string; problems: FeatureProblem[] }) {
  const { t } = useTranslation('cadastre');
  const problemText = useProblemText();
  const id = useId();
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap" aria-labelledby={id} tabIndex={0}>
      <table aria-labelledby={id}>
        <caption id={id}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('import.columns.feature')}</th>
            <th scope="col">{t('import.columns.externalRef')}</th>
            <th scope="col">{t('import.columns.problem')}</th>
            <th scope="col">{t('import.columns.where')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a feature may have several problems
            <tr key={i}>
              <th scope="row">{p.index + 1}</th>
              <td>{p.externalRef ?? '—'}</td>
              <td>{problemText(p.code, p.message)}</td>
              <td>
                <ProblemWhere problem={p} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CsvErrorsTable({ errors, count }: { errors: CsvLineError[]; count: number }) {
  const { t } = useTranslation('cadastre');
  const problemText = useProblemText();
  const id = useId();
  return (
    <>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
      <section className="table-wrap" aria-labelledby={id} tabIndex={0}>
        <table aria-labelledby={id}>
          <caption id={id}>{t('import.csvCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('import.columns.line')}</th>
              <th scope="col">{t('import.columns.column')}</th>
              <th scope="col">{t('import.columns.problem')}</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a line may have two errors
              <tr key={i}>
                <th scope="row">{e.line}</th>
                <td>{e.column ?? '—'}</td>
                <td>{problemText(e.code, e.message)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {count > errors.length && (
        <p className="hint">{t('import.moreErrors', { count: count - errors.length })}</p>
      )}
    </>
  );
}
