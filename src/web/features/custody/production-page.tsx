import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  type CustodyEventDto,
  LOT_FORMS,
  PRODUCER_KINDS,
  productionBody,
} from '../../../shared/schemas/custody.ts';
import { api, get, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { gramsToMg, perMilleToPtt, useActors, useCustodyProfile } from './custody-common.tsx';
import { occurredAtOf, today } from './event-fields.tsx';

type Values = {
  holderActorId: string;
  originSiteId: string;
  mineral: string;
  form: string;
  grams: string;
  fineness: string;
  date: string;
  place: string;
};

interface Site {
  id: string;
  name: string;
  reference: string;
}

function toInput(v: Values) {
  return {
    holderActorId: v.holderActorId || undefined,
    originSiteId: v.originSiteId || undefined,
    mineral: v.mineral || undefined,
    form: v.form || undefined,
    massMg: gramsToMg(v.grams) ?? undefined,
    finenessPtt: v.fineness.trim() ? (perMilleToPtt(v.fineness) ?? -1) : undefined,
    place: v.place.trim() || undefined,
    occurredAt: occurredAtOf(v.date),
  };
}

/** Record production: a new lot at a site, held by the miner or enterprise that mined it. */
export default function ProductionPage() {
  const { t } = useTranslation(['custody', 'forms', 'errors']);
  const { can } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const { minerals } = useCustodyProfile();
  const actors = useActors();
  const sites = useQuery({
    queryKey: ['custody-sites'],
    queryFn: ({ signal }) =>
      get<{ items: Site[] }>(`/production-units${query({ limit: 500 })}`, signal).then((p) => p.items),
    staleTime: 30_000,
  });
  const initial = useMemo<Values>(
    () => ({
      holderActorId: params.get('holder') ?? '',
      originSiteId: '',
      mineral: 'gold',
      form: 'ore',
      grams: '',
      fineness: '',
      date: today(),
      place: '',
    }),
    [params],
  );
  const form = useZodForm(productionBody, initial, {
    toInput,
    fieldOf: (path) =>
      path === 'massMg'
        ? 'grams'
        : path === 'finenessPtt'
          ? 'fineness'
          : path === 'occurredAt'
            ? 'date'
            : undefined,
  });
  const [busy, setBusy] = useState(false);
  const title = t('custody:production.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (!can('custody.record')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('custody:notAllowed')}</p>
        <Link to="/custody/lots">{t('custody:backToLots')}</Link>
      </section>
    );
  }

  const gramsBad = form.values.grams.trim() !== '' && gramsToMg(form.values.grams) === null;
  const producers = (actors.data ?? []).filter(
    (a) => PRODUCER_KINDS.includes(a.kind) && a.status === 'active',
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (gramsBad) return;
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<CustodyEventDto>('/lots', { method: 'POST', body, idempotencyKey: keyFor(body) });
      const lot = res.data.lots.find((l) => l.role === 'output')!;
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/lots') });
      navigate(`/custody/lots/${lot.lotId}`, { state: { notice: 'custody:production.done' } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="production-title" className="custody-page">
      <p>
        <Link to="/custody/lots">{t('custody:backToLots')}</Link>
      </p>
      <h1 id="production-title">{title}</h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel">
        <FormError>{form.formError}</FormError>
        <SelectField
          label={t('custody:fields.producer')}
          hint={t('custody:production.producerHint')}
          placeholder={t('custody:chooseActor')}
          options={producers.map((a) => ({
            value: a.id,
            label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
          }))}
          {...form.bind('holderActorId')}
        />
        <SelectField
          label={t('custody:fields.site')}
          placeholder={t('custody:production.chooseSite')}
          options={(sites.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.reference})` }))}
          {...form.bind('originSiteId')}
        />
        <SelectField
          label={t('custody:fields.mineral')}
          options={minerals.map((m) => ({
            value: m,
            label: t(`custody:minerals.${m}`, { defaultValue: m }),
          }))}
          {...form.bind('mineral')}
        />
        <SelectField
          label={t('custody:fields.form')}
          options={LOT_FORMS.map((f) => ({ value: f, label: t(`custody:forms.${f}`) }))}
          {...form.bind('form')}
        />
        <TextField
          label={t('custody:fields.grams')}
          hint={t('custody:gramsHint')}
          inputMode="decimal"
          autoComplete="off"
          {...form.bind('grams')}
          error={gramsBad ? t('custody:gramsInvalid') : form.error('grams')}
        />
        <TextField
          label={t('custody:fields.fineness')}
          hint={t('custody:finenessHint')}
          inputMode="decimal"
          autoComplete="off"
          optional
          {...form.bind('fineness')}
        />
        <TextField label={t('custody:fields.date')} type="date" max={today()} {...form.bind('date')} />
        <TextField label={t('custody:fields.place')} optional maxLength={200} {...form.bind('place')} />
        <button type="submit" className="button primary" disabled={busy}>
          {t('custody:production.submit')}
        </button>
      </form>
    </section>
  );
}
