import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { type LogbookReportDto, logbookBody, ORE_UNITS } from '../../../shared/schemas/logbooks.ts';
import { ApiError, api, get } from '../../api/client.ts';
import { useClientConfig } from '../../api/client-config.ts';
import { useSession } from '../../app/session.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { toMinorUnits } from '../licensing/money-input.ts';

/**
 * One period of a licence's production logbook, typed on a phone or by an officer from the paper
 * logbook (whose QR code opens this page). A period already reported with other figures is
 * corrected only after the officer confirms it.
 */

type Values = {
  periodStart: string;
  oreAmount: string;
  oreUnit: string;
  mineralGrams: string;
  fineness: string;
  women: string;
  men: string;
  other: string;
  youth: string;
  equipment: string;
  costs: string;
  mercuryGrams: string;
  source: string;
};

/** Grams as typed ("12.5", "0") to whole milligrams; null when it is not such a number. */
export function gramsTextToMg(text: string): number | null {
  const m = /^(\d+)(?:[.,](\d{0,3}))?$/.exec(text.trim().replace(/[\s\u00a0\u202f]/g, ''));
  if (!m) return null;
  const mg = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return Number.isSafeInteger(mg) ? mg : null;
}

/** A field left empty is "not reported"; anything typed that is not a number fails the schema (-1). */
const optionalNumber = (text: string, parse: (t: string) => number | null) =>
  text.trim() === '' ? null : (parse(text) ?? -1);
const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);
const decimal = (text: string) => {
  const t = text.trim().replace(',', '.');
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : null;
};

function toInput(licenceId: string, currency: string, v: Values) {
  const ore = optionalNumber(v.oreAmount, decimal);
  return {
    licenceId,
    periodStart: v.periodStart,
    oreMined: ore === null ? null : { amount: ore, unit: v.oreUnit },
    mineralMassMg: gramsTextToMg(v.mineralGrams) ?? -1,
    finenessPtt: optionalNumber(v.fineness, (t) => {
      const n = decimal(t);
      return n === null ? null : Math.round(n * 10);
    }),
    workers: {
      women: wholeNumber(v.women) ?? -1,
      men: wholeNumber(v.men) ?? -1,
      otherOrUnknown: wholeNumber(v.other) ?? -1,
      youth: optionalNumber(v.youth, wholeNumber),
    },
    equipmentBought: v.equipment
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    operatingCosts:
      v.costs.trim() === '' ? null : { amountMinor: toMinorUnits(v.costs, currency) ?? -1, currency },
    mercuryUsedMg: optionalNumber(v.mercuryGrams, gramsTextToMg),
    source: v.source,
  };
}

const FIELD_OF: Record<string, string> = {
  'oreMined.amount': 'oreAmount',
  oreMined: 'oreAmount',
  mineralMassMg: 'mineralGrams',
  finenessPtt: 'fineness',
  'workers.women': 'women',
  'workers.men': 'men',
  'workers.otherOrUnknown': 'other',
  'workers.youth': 'youth',
  operatingCosts: 'costs',
  'operatingCosts.amountMinor': 'costs',
  mercuryUsedMg: 'mercuryGrams',
  equipmentBought: 'equipment',
};

export default function LogbookEntryPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['licensing', 'forms', 'errors']);
  const { can } = useSession();
  const keyFor = useIdempotencyKey();
  const licence = useQuery({
    queryKey: ['licence', id],
    queryFn: ({ signal }) => get<{ id: string; number: string }>(`/licences/${id}`, signal),
  });
  const config = useClientConfig();
  const currency = config.data?.profile?.currency ?? 'USD';
  const initial = useMemo<Values>(
    () => ({
      periodStart: '',
      oreAmount: '',
      oreUnit: 'kg',
      mineralGrams: '',
      fineness: '',
      women: '',
      men: '',
      other: '0',
      youth: '',
      equipment: '',
      costs: '',
      mercuryGrams: '',
      source: 'officer_from_paper',
    }),
    [],
  );
  const form = useZodForm(logbookBody, initial, {
    toInput: (v) => toInput(id, currency, v),
    fieldOf: (path) => FIELD_OF[path],
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<LogbookReportDto | null>(null);
  /** The report already on file for the period, when the figures sent differ from it. */
  const [conflict, setConflict] = useState<LogbookReportDto | null>(null);
  const title = t('licensing:logbook.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (!can('logbooks.record')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('licensing:logbook.notAllowed')}</p>
      </section>
    );
  }

  async function send(ifMatch?: string) {
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    setSaved(null);
    try {
      const res = await api<LogbookReportDto>('/logbooks', {
        method: 'POST',
        body,
        idempotencyKey: keyFor({ body, ifMatch }),
        ...(ifMatch ? { ifMatch } : {}),
      });
      setConflict(null);
      setSaved(res.data);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'precondition.required') {
        // Other figures for a period already reported: show what is on file and ask first.
        const page = await get<{ items: LogbookReportDto[] }>(
          `/logbooks?licenceId=${id}&from=${body.periodStart}&to=${body.periodStart}`,
        );
        setConflict(page.items[0] ?? null);
      } else form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    void send();
  }

  const text = (field: keyof Values, optional = false, inputMode: 'decimal' | 'numeric' = 'decimal') => (
    <TextField
      label={t(`licensing:logbook.fields.${field}`)}
      inputMode={inputMode}
      autoComplete="off"
      optional={optional}
      {...form.bind(field)}
    />
  );

  return (
    <section aria-labelledby="logbook-title">
      <p>
        <Link to={`/licensing/licences/${id}`}>{t('licensing:logbook.backToLicence')}</Link>
      </p>
      <h1 id="logbook-title">{title}</h1>
      {licence.data && <p>{t('licensing:logbook.forLicence', { number: licence.data.number })}</p>}
      <p>{t('licensing:logbook.intro')}</p>
      {saved && (
        <p role="status" className="notice">
          {t('licensing:logbook.saved', { start: saved.periodStart, end: saved.periodEnd })}
        </p>
      )}
      {conflict && (
        <div role="alert" className="panel">
          <p>{t('licensing:logbook.alreadyReported', { start: conflict.periodStart })}</p>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void send(`"v${conflict.version}"`)}
          >
            {t('licensing:logbook.replace')}
          </button>
        </div>
      )}
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel">
        <FormError>{form.formError}</FormError>
        <TextField
          label={t('licensing:logbook.fields.periodStart')}
          hint={t('licensing:logbook.periodHint')}
          type="date"
          {...form.bind('periodStart')}
        />
        {text('oreAmount', true)}
        <SelectField
          label={t('licensing:logbook.fields.oreUnit')}
          options={ORE_UNITS.map((u) => ({ value: u, label: t(`licensing:logbook.units.${u}`) }))}
          {...form.bind('oreUnit')}
        />
        {text('mineralGrams')}
        {text('fineness', true)}
        {text('women', false, 'numeric')}
        {text('men', false, 'numeric')}
        {text('other', false, 'numeric')}
        {text('youth', true, 'numeric')}
        <TextField
          label={t('licensing:logbook.fields.equipment')}
          hint={t('licensing:logbook.equipmentHint')}
          optional
          autoComplete="off"
          {...form.bind('equipment')}
        />
        <TextField
          label={t('licensing:logbook.fields.costs', { currency })}
          inputMode="decimal"
          optional
          autoComplete="off"
          {...form.bind('costs')}
        />
        <TextField
          label={t('licensing:logbook.fields.mercuryGrams')}
          hint={t('licensing:logbook.mercuryHint')}
          inputMode="decimal"
          optional
          autoComplete="off"
          {...form.bind('mercuryGrams')}
        />
        <SelectField
          label={t('licensing:logbook.fields.source')}
          options={[
            { value: 'officer_from_paper', label: t('licensing:logbook.sources.officer_from_paper') },
            { value: 'phone', label: t('licensing:logbook.sources.phone') },
          ]}
          {...form.bind('source')}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {t('licensing:logbook.submit')}
        </button>
      </form>
    </section>
  );
}
