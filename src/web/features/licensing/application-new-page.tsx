import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import {
  createApplicationBody,
  HOLDER_KINDS,
  type LicenceApplicationDto,
} from '../../../shared/schemas/licensing.ts';
import { api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { HolderPicker } from './holder-picker.tsx';
import { type HolderKind, TierFacts, useTiers } from './licensing-common.tsx';

type Values = { holderKind: string; holderId: string; tierCode: string; hectares: string };

const isHolderKind = (v: string | null): v is HolderKind =>
  (HOLDER_KINDS as readonly string[]).includes(v ?? '');

/** Hectares as typed ("1,5" or "1.5"); NaN when it is not a number, so the schema says so. */
function hectaresOf(text: string): number | undefined {
  const t = text.trim().replace(',', '.');
  if (t === '') return undefined;
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * A new licence application: who applies (searched in the registry), for which tier (only those the
 * holder may hold, with what each costs and asks), and how many hectares. Saved as a draft, or
 * submitted at once (the fee is then assessed).
 */
export default function ApplicationNewPage() {
  const { t } = useTranslation(['licensing', 'errors', 'forms', 'common']);
  const { can } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const { tiers, tier, pick, isError: tiersFailed } = useTiers();
  const [busy, setBusy] = useState<'draft' | 'submit' | null>(null);
  const title = t('licensing:new.title');

  const initialKind = params.get('holderKind');
  // A tier asked for in the address (the "Apply for the next tier" link of a licence).
  const initialTier = /^[a-z][a-z0-9_]{0,63}$/.test(params.get('tierCode') ?? '')
    ? params.get('tierCode')!
    : '';
  const initial = useMemo<Values>(
    () => ({
      holderKind: isHolderKind(initialKind) ? initialKind : 'person',
      holderId: isHolderKind(initialKind) ? (params.get('holderId') ?? '') : '',
      tierCode: initialTier,
      hectares: '',
    }),
    [initialKind, initialTier, params],
  );

  // The chosen tier, kept apart from the form's values: the form's schema depends on it.
  const [tierCode, setTierCode] = useState(initialTier);
  const selected = tier(tierCode);
  // The tier's maximum is checked here as on the server, before any round trip.
  const schema = useMemo(
    () =>
      selected
        ? createApplicationBody.extend({
            requestedAreaHectares: z.number().positive().max(selected.maxAreaHectares),
          })
        : createApplicationBody,
    [selected],
  );
  const form = useZodForm(schema, initial, {
    toInput: (v: Values) => ({
      holderKind: v.holderKind,
      holderId: v.holderId,
      tierCode: v.tierCode,
      requestedAreaHectares: hectaresOf(v.hectares),
    }),
    fieldOf: (path) => (path === 'requestedAreaHectares' ? 'hectares' : undefined),
  });
  const { values, setField } = form;

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const allowed = tiers.filter((x) => (x.holderKinds as string[]).includes(values.holderKind));

  if (!can('licensing.apply')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('licensing:new.notAllowed')}</p>
        <Link to="/licensing/queue">{t('licensing:queue.title')}</Link>
      </section>
    );
  }

  async function send(e: FormEvent, submit: boolean) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(submit ? 'submit' : 'draft');
    try {
      const created = await api<LicenceApplicationDto>('/licence-applications', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      let state = 'saved';
      if (submit) {
        try {
          await api<LicenceApplicationDto>(`/licence-applications/${created.data.id}/submit`, {
            method: 'POST',
            idempotencyKey: `${keyFor(body)}-submit`,
          });
          state = 'submitted';
        } catch {
          // The draft exists: its page says it was not submitted and offers to submit again.
          state = 'submitFailed';
        }
      }
      await queryClient.invalidateQueries({ queryKey: tableQueryKey('/licence-applications') });
      await queryClient.invalidateQueries({ queryKey: ['licence-queue'] });
      navigate(`/licensing/applications/${created.data.id}`, { state: { [state]: true } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="application-new-title" className="licensing-page">
      <p>
        <Link to="/licensing/queue">{t('licensing:backToQueue')}</Link>
      </p>
      <h1 id="application-new-title">{title}</h1>
      <p className="lead">{t('licensing:new.intro')}</p>
      <form ref={form.formRef} onSubmit={(e) => void send(e, true)} noValidate className="panel">
        <HolderPicker
          kind={values.holderKind as HolderKind}
          holderId={values.holderId}
          error={form.error('holderId')}
          kindError={form.error('holderKind')}
          onKind={(kind) => {
            setField('holderKind', kind);
            setField('holderId', '');
            if (selected && !(selected.holderKinds as string[]).includes(kind)) {
              setField('tierCode', '');
              setTierCode('');
            }
          }}
          onChoose={(id) => setField('holderId', id)}
        />
        <h2>{t('licensing:new.tierTitle')}</h2>
        {tiersFailed && <p className="field-error">{t('licensing:tiersFailed')}</p>}
        <SelectField
          label={t('licensing:fields.tier')}
          placeholder={t('licensing:new.chooseTier')}
          options={allowed.map((x) => ({ value: x.code, label: pick(x.names).text }))}
          hint={allowed.length === 0 ? t('licensing:new.noTier') : undefined}
          name="tierCode"
          value={values.tierCode}
          error={form.error('tierCode')}
          onChange={(code) => {
            setField('tierCode', code);
            setTierCode(code);
          }}
        />
        {selected && values.tierCode && <TierFacts tier={selected} pick={pick} />}
        <TextField
          label={t('licensing:fields.requestedAreaHectares')}
          hint={
            selected
              ? t('licensing:new.hectaresHint', { max: selected.maxAreaHectares })
              : t('licensing:new.hectaresChooseTier')
          }
          inputMode="decimal"
          autoComplete="off"
          required
          {...form.bind('hectares')}
        />
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy !== null}>
            {busy === 'submit' ? t('licensing:new.submitting') : t('licensing:new.submit')}
          </button>
          <button
            type="button"
            className="button secondary"
            disabled={busy !== null}
            onClick={(e) => void send(e, false)}
          >
            {busy === 'draft' ? t('licensing:new.saving') : t('licensing:new.saveDraft')}
          </button>
        </div>
      </form>
    </section>
  );
}
