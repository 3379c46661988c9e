import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/form.tsx';

/** Fields every custody event form shares: the day, the place and the documents (by reference). */

/** Today on this device, as a date input holds it (YYYY-MM-DD). */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The day chosen as the event's time: left out for today (the server then records the moment), noon
 * UTC of an earlier day otherwise, so the day is the same in every African time zone.
 */
export function occurredAtOf(date: string): string | undefined {
  if (!date || date >= today()) return undefined;
  return `${date}T12:00:00.000Z`;
}

export interface DocumentRow {
  kind: string;
  reference: string;
}

/** The documents given, without the rows left empty. */
export function documentsOf(rows: readonly DocumentRow[]): DocumentRow[] | undefined {
  const filled = rows
    .map((r) => ({ kind: r.kind.trim(), reference: r.reference.trim() }))
    .filter((r) => r.kind || r.reference);
  return filled.length > 0 ? filled : undefined;
}

/** A short list of documents: their kind (receipt, assay certificate…) and reference, one per row. */
export function DocumentsField({
  rows,
  onChange,
}: {
  rows: readonly DocumentRow[];
  onChange(rows: DocumentRow[]): void;
}) {
  const { t } = useTranslation('custody');
  const set = (i: number, patch: Partial<DocumentRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="holder-picker">
      <legend>{t('custody:documents.title')}</legend>
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are only added at the end or removed by position
        <div className="split-parts" key={i}>
          <TextField
            label={t('custody:documents.kind', { n: i + 1 })}
            hint={i === 0 ? t('custody:documents.kindHint') : undefined}
            maxLength={50}
            value={r.kind}
            onChange={(kind) => set(i, { kind })}
          />
          <TextField
            label={t('custody:documents.reference', { n: i + 1 })}
            maxLength={100}
            value={r.reference}
            onChange={(reference) => set(i, { reference })}
          />
          <button
            type="button"
            className="button secondary"
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            {t('custody:documents.remove', { n: i + 1 })}
          </button>
        </div>
      ))}
      {rows.length < 20 && (
        <button
          type="button"
          className="button secondary"
          onClick={() => onChange([...rows, { kind: '', reference: '' }])}
        >
          {t('custody:documents.add')}
        </button>
      )}
    </fieldset>
  );
}
