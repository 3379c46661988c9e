import { type FormEvent, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createLayerBody, LAYER_KINDS, type Layer } from '../../../shared/schemas/cadastre.ts';
import { api } from '../../api/client.ts';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';

type Values = {
  kind: string;
  name: string;
  source: string;
  licence: string;
  notes: string;
};

const EMPTY: Values = { kind: '', name: '', source: '', licence: '', notes: '' };
const optional = (s: string) => (s.trim() === '' ? undefined : s);

/** A new, empty layer of the country; its features come with an import. */
export function LayerCreateForm({
  country,
  onCreated,
}: {
  country: string;
  onCreated: (layer: Layer) => void;
}) {
  const { t } = useTranslation(['cadastre', 'forms', 'errors']);
  const id = useId();
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const initial = useMemo(() => EMPTY, []);
  const form = useZodForm(createLayerBody, initial, {
    toInput: (v) => ({
      country,
      kind: v.kind || undefined,
      name: v.name,
      source: optional(v.source),
      licence: optional(v.licence),
      notes: optional(v.notes),
    }),
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<Layer>('/cadastre/layers', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      form.reset();
      setCreated(res.data.name);
      onCreated(res.data);
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('cadastre:newLayer.title')}</h2>
      <form ref={form.formRef} onSubmit={submit} noValidate className="layer-form">
        <SelectField
          label={t('cadastre:newLayer.kind')}
          placeholder={t('cadastre:newLayer.chooseKind')}
          options={LAYER_KINDS.map((k) => ({ value: k, label: t(`cadastre:kinds.${k}`) }))}
          required
          {...form.bind('kind')}
        />
        <TextField
          label={t('cadastre:newLayer.name')}
          autoComplete="off"
          required
          maxLength={200}
          {...form.bind('name')}
        />
        <TextField
          label={t('cadastre:newLayer.source')}
          hint={t('cadastre:newLayer.sourceHint')}
          optional
          maxLength={500}
          {...form.bind('source')}
        />
        <TextField
          label={t('cadastre:newLayer.licence')}
          hint={t('cadastre:newLayer.licenceHint')}
          optional
          maxLength={200}
          {...form.bind('licence')}
        />
        <TextField label={t('cadastre:newLayer.notes')} optional maxLength={2000} {...form.bind('notes')} />
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('cadastre:newLayer.saving') : t('cadastre:newLayer.submit')}
          </button>
        </div>
        <p role="status">{created ? t('cadastre:newLayer.created', { name: created }) : ''}</p>
      </form>
    </section>
  );
}
