import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import {
  type ActorDto,
  type CustodyEventDto,
  LOT_FORMS,
  type LotDto,
} from '../../../shared/schemas/custody.ts';
import { api, get, query } from '../../api/client.ts';
import { FormError, SelectField, TextField, useIdempotencyKey } from '../../components/form.tsx';
import { toMinorUnits } from '../licensing/money-input.ts';
import { gramsToMg, perMilleToPtt, problemKey, useCustodyProfile, useMass } from './custody-common.tsx';
import { type DocumentRow, DocumentsField, documentsOf, occurredAtOf, today } from './event-fields.tsx';

interface ActionProps {
  lot: LotDto;
  holder: ActorDto;
  actors: readonly ActorDto[];
  /** After a change that keeps the user on this lot: the notice's key. */
  onChanged(notice: string): void;
}

/**
 * What the holder of an open lot can do with it: sell it, split it, process it, merge it with its
 * other lots, or export it (exporters). Each form sends integer milligrams; the server is the judge
 * of the masses, the form only helps to get them right.
 */
export function LotActions(props: ActionProps) {
  const { t } = useTranslation('custody');
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">{t('custody:actions.title')}</h2>
      <TransferForm {...props} />
      <SplitForm {...props} />
      <ProcessForm {...props} />
      <MergeForm {...props} />
      {props.holder.kind === 'exporter' ? (
        <ExportForm {...props} />
      ) : (
        <p className="hint">{t('custody:export.onlyExporters')}</p>
      )}
    </section>
  );
}

/** Sends one event; the form's problem in its alert, the new lot (if any) opened. */
function useSend() {
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  async function send(path: string, body: object): Promise<CustodyEventDto | null> {
    setBusy(true);
    setProblem(null);
    try {
      return (await api<CustodyEventDto>(path, { method: 'POST', body, idempotencyKey: keyFor(body) })).data;
    } catch (err) {
      setProblem(problemKey(err));
      return null;
    } finally {
      setBusy(false);
    }
  }
  return { busy, problem, setProblem, send };
}

function ActionPanel({
  title,
  problem,
  onSubmit,
  children,
}: {
  title: string;
  problem: string | null;
  onSubmit(e: FormEvent): void;
  children: ReactNode;
}) {
  const { t } = useTranslation(['custody', 'errors']);
  return (
    <details className="panel">
      <summary>{title}</summary>
      <form aria-label={title} onSubmit={onSubmit} noValidate>
        <FormError>{problem && t(problem, { defaultValue: t('errors:unknown') })}</FormError>
        {children}
      </form>
    </details>
  );
}

function useOpenLot() {
  const navigate = useNavigate();
  return (event: CustodyEventDto, notice: string) => {
    const out = event.lots.find((l) => l.role === 'output');
    if (out) navigate(`/custody/lots/${out.lotId}`, { state: { notice } });
  };
}

function TransferForm({ lot, holder, actors, onChanged }: ActionProps) {
  const { t } = useTranslation(['custody', 'forms']);
  const { currency: profileCurrency } = useCustodyProfile();
  const { busy, problem, setProblem, send } = useSend();
  const [buyer, setBuyer] = useState('');
  const [side, setSide] = useState<'seller' | 'buyer'>('seller');
  const [price, setPrice] = useState('');
  const [currency, setCurrency] = useState('');
  const [place, setPlace] = useState('');
  const [date, setDate] = useState(today());
  const [docs, setDocs] = useState<DocumentRow[]>([]);
  const cur = (currency || profileCurrency).trim().toUpperCase();
  const buyers = actors.filter((a) => a.id !== holder.id && a.status === 'active');

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!buyer) return setProblem('custody:transfer.chooseBuyer');
    let priceMinor: number | undefined;
    if (price.trim()) {
      const minor = /^[A-Z]{3}$/.test(cur) ? toMinorUnits(price, cur) : null;
      if (minor === null) return setProblem('custody:transfer.badPrice');
      priceMinor = minor;
    }
    const event = await send('/custody/transfers', {
      lotIds: [lot.id],
      sellerActorId: holder.id,
      buyerActorId: buyer,
      recordedSide: side,
      ...(priceMinor === undefined ? {} : { priceMinor, currency: cur }),
      place: place.trim() || undefined,
      occurredAt: occurredAtOf(date),
      documents: documentsOf(docs),
    });
    if (event) onChanged('custody:transfer.done');
  }

  return (
    <ActionPanel title={t('custody:transfer.title')} problem={problem} onSubmit={submit}>
      <SelectField
        label={t('custody:fields.buyer')}
        placeholder={t('custody:chooseActor')}
        value={buyer}
        onChange={setBuyer}
        options={buyers.map((a) => ({
          value: a.id,
          label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
        }))}
      />
      <SelectField
        label={t('custody:transfer.recordedSide')}
        value={side}
        onChange={(v) => setSide(v as 'seller' | 'buyer')}
        options={[
          { value: 'seller', label: t('custody:transfer.sides.seller') },
          { value: 'buyer', label: t('custody:transfer.sides.buyer') },
        ]}
      />
      <TextField
        label={t('custody:fields.price')}
        optional
        inputMode="decimal"
        autoComplete="off"
        value={price}
        onChange={setPrice}
      />
      <TextField
        label={t('custody:fields.currency')}
        hint={t('custody:transfer.currencyHint')}
        maxLength={3}
        autoComplete="off"
        value={currency || profileCurrency}
        onChange={setCurrency}
      />
      <TextField
        label={t('custody:fields.place')}
        optional
        maxLength={200}
        value={place}
        onChange={setPlace}
      />
      <TextField label={t('custody:fields.date')} type="date" max={today()} value={date} onChange={setDate} />
      <DocumentsField rows={docs} onChange={setDocs} />
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody:transfer.submit')}
      </button>
    </ActionPanel>
  );
}

function SplitForm({ lot }: ActionProps) {
  const { t } = useTranslation(['custody', 'forms']);
  const mass = useMass();
  const openLot = useOpenLot();
  const { busy, problem, setProblem, send } = useSend();
  const [parts, setParts] = useState<string[]>(['', '']);
  const masses = parts.map(gramsToMg);
  const entered = masses.reduce<number>((s, m) => s + (m ?? 0), 0);
  const remaining = lot.massMg - entered;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (masses.some((m) => m === null)) return setProblem('custody:split.badPart');
    const event = await send('/custody/splits', {
      lotId: lot.id,
      outputs: masses.map((m) => ({ massMg: m! })),
    });
    if (event) openLot(event, 'custody:split.done');
  }

  return (
    <ActionPanel title={t('custody:split.title')} problem={problem} onSubmit={submit}>
      <p className="hint">{t('custody:split.hint', { mass: mass(lot.massMg) })}</p>
      <div className="split-parts">
        {parts.map((p, i) => (
          <TextField
            // biome-ignore lint/suspicious/noArrayIndexKey: parts are added at the end and removed from it
            key={i}
            label={t('custody:split.part', { n: i + 1 })}
            inputMode="decimal"
            autoComplete="off"
            value={p}
            error={p.trim() && masses[i] === null ? t('custody:gramsInvalid') : undefined}
            onChange={(v) => setParts((ps) => ps.map((x, j) => (j === i ? v : x)))}
          />
        ))}
      </div>
      <p aria-live="polite" className={remaining === 0 ? 'success' : undefined}>
        {remaining === 0
          ? t('custody:split.balanced')
          : remaining > 0
            ? t('custody:split.remaining', { mass: mass(remaining) })
            : t('custody:split.tooMuch', { mass: mass(-remaining) })}
      </p>
      <p className="actions">
        {parts.length < 100 && (
          <button type="button" className="button secondary" onClick={() => setParts((ps) => [...ps, ''])}>
            {t('custody:split.addPart')}
          </button>
        )}
        {parts.length > 2 && (
          <button
            type="button"
            className="button secondary"
            onClick={() => setParts((ps) => ps.slice(0, -1))}
          >
            {t('custody:split.removePart')}
          </button>
        )}
      </p>
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody:split.submit')}
      </button>
    </ActionPanel>
  );
}

function ProcessForm({ lot }: ActionProps) {
  const { t, i18n } = useTranslation(['custody', 'forms']);
  const openLot = useOpenLot();
  const { busy, problem, setProblem, send } = useSend();
  const [grams, setGrams] = useState('');
  const [form, setForm] = useState<string>(lot.form === 'ore' ? 'concentrate' : 'dore');
  const [fineness, setFineness] = useState('');
  const [place, setPlace] = useState('');
  const output = gramsToMg(grams);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (output === null) return setProblem('custody:process.badMass');
    const ptt = fineness.trim() ? perMilleToPtt(fineness) : undefined;
    if (ptt === null) return setProblem('custody:process.badFineness');
    const event = await send('/custody/processings', {
      lotIds: [lot.id],
      output: { form, massMg: output, ...(ptt === undefined ? {} : { finenessPtt: ptt }) },
      place: place.trim() || undefined,
    });
    if (event) openLot(event, 'custody:process.done');
  }

  return (
    <ActionPanel title={t('custody:process.title')} problem={problem} onSubmit={submit}>
      <SelectField
        label={t('custody:process.outputForm')}
        value={form}
        onChange={setForm}
        options={LOT_FORMS.map((f) => ({ value: f, label: t(`custody:forms.${f}`) }))}
      />
      <TextField
        label={t('custody:process.outputGrams')}
        inputMode="decimal"
        autoComplete="off"
        value={grams}
        onChange={setGrams}
        error={grams.trim() && output === null ? t('custody:gramsInvalid') : undefined}
      />
      <p aria-live="polite">
        {output !== null &&
          t('custody:process.recovery', {
            recovery: new Intl.NumberFormat(i18n.language, {
              style: 'percent',
              maximumFractionDigits: 1,
            }).format(output / lot.massMg),
          })}
      </p>
      <TextField
        label={t('custody:fields.fineness')}
        hint={t('custody:finenessHint')}
        optional
        inputMode="decimal"
        value={fineness}
        onChange={setFineness}
      />
      <TextField
        label={t('custody:fields.place')}
        optional
        maxLength={200}
        value={place}
        onChange={setPlace}
      />
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody:process.submit')}
      </button>
    </ActionPanel>
  );
}

function MergeForm({ lot, holder }: ActionProps) {
  const { t } = useTranslation(['custody', 'forms']);
  const mass = useMass();
  const openLot = useOpenLot();
  const { busy, problem, setProblem, send } = useSend();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const others = useQuery({
    queryKey: ['custody-lots-of', holder.id, lot.mineral],
    queryFn: ({ signal }) =>
      get<{ items: LotDto[] }>(
        `/lots${query({ holderActorId: holder.id, status: 'open', mineral: lot.mineral, limit: 500 })}`,
        signal,
      ).then((p) => p.items.filter((l) => l.id !== lot.id)),
  });
  const total = (others.data ?? [])
    .filter((l) => chosen.has(l.id))
    .reduce((s, l) => s + l.massMg, lot.massMg);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen.size === 0) return setProblem('custody:merge.chooseLots');
    const event = await send('/custody/merges', { lotIds: [lot.id, ...chosen] });
    if (event) openLot(event, 'custody:merge.done');
  }

  return (
    <ActionPanel title={t('custody:merge.title')} problem={problem} onSubmit={submit}>
      {others.data && others.data.length === 0 ? (
        <p>{t('custody:merge.none')}</p>
      ) : (
        <fieldset className="holder-picker">
          <legend>{t('custody:merge.legend')}</legend>
          <ul className="merge-choices">
            {(others.data ?? []).map((l) => (
              <li key={l.id}>
                <label className="radio">
                  <input
                    type="checkbox"
                    checked={chosen.has(l.id)}
                    onChange={(e) =>
                      setChosen((c) => {
                        const next = new Set(c);
                        if (e.target.checked) next.add(l.id);
                        else next.delete(l.id);
                        return next;
                      })
                    }
                  />{' '}
                  <span dir="ltr">{l.tag}</span> · {mass(l.massMg)} · {t(`custody:forms.${l.form}`)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      <p aria-live="polite">{t('custody:merge.total', { mass: mass(total), n: chosen.size + 1 })}</p>
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody:merge.submit')}
      </button>
    </ActionPanel>
  );
}

function ExportForm({ lot, onChanged }: ActionProps) {
  const { t } = useTranslation(['custody', 'forms']);
  const { busy, problem, setProblem, send } = useSend();
  const [permit, setPermit] = useState('');
  const [country, setCountry] = useState('');
  const [place, setPlace] = useState('');
  const [date, setDate] = useState(today());
  const [docs, setDocs] = useState<DocumentRow[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const destination = country.trim().toUpperCase();
    if (!permit.trim()) return setProblem('custody:export.permitRequired');
    if (!/^[A-Z]{2}$/.test(destination)) return setProblem('custody:export.badCountry');
    const event = await send('/custody/exports', {
      lotIds: [lot.id],
      exportPermit: permit.trim(),
      destinationCountry: destination,
      place: place.trim() || undefined,
      occurredAt: occurredAtOf(date),
      documents: documentsOf(docs),
    });
    if (event) onChanged('custody:export.done');
  }

  return (
    <ActionPanel title={t('custody:export.title')} problem={problem} onSubmit={submit}>
      <TextField
        label={t('custody:fields.permit')}
        maxLength={100}
        autoComplete="off"
        value={permit}
        onChange={setPermit}
      />
      <TextField
        label={t('custody:fields.destination')}
        hint={t('custody:export.countryHint')}
        maxLength={2}
        autoComplete="off"
        value={country}
        onChange={setCountry}
      />
      <TextField
        label={t('custody:fields.place')}
        optional
        maxLength={200}
        value={place}
        onChange={setPlace}
      />
      <TextField label={t('custody:fields.date')} type="date" max={today()} value={date} onChange={setDate} />
      <DocumentsField rows={docs} onChange={setDocs} />
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody:export.submit')}
      </button>
    </ActionPanel>
  );
}
