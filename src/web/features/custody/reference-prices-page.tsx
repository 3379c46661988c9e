import { useClientConfig } from '../../api/client-config.ts';
import './reference-prices.css';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { formatDateTime, formatMoney } from '../../../shared/format.ts';
import { type ReferencePriceDto, referencePriceBody } from '../../../shared/schemas/custody-oversight.ts';
import { api, get, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { currencyDigits, fromMinorUnits, toMinorUnits } from '../licensing/money-input.ts';
import { problemKey, useCustodyProfile } from './custody-common.tsx';
import { formatDay } from './oversight-common.tsx';

const PAGE_SIZE = 30;
/** The chart reads the whole period at once, up to the most the API gives in one page. */
const CHART_LIMIT = 500;
/** Without a period in the address: the last 90 days, as many as the demo records. */
const DEFAULT_DAYS = 90;
const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY = /^[A-Z]{3}$/;

interface Country {
  country: string;
  currency: string;
  timeZone: string;
}

interface Page {
  items: ReferencePriceDto[];
  nextCursor: string | null;
}

interface Period {
  country: string;
  mineral: string;
  from: string;
  to: string;
}

/** The active profile's country, currency and time zone (the same query as the map's). */
function useCountry(): Country | null {
  const config = useClientConfig();
  return config.data?.profile ?? null;
}

/** Today in a time zone, YYYY-MM-DD: prices are per day of the country, not of the browser. */
function todayIn(timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timeZone || 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;
const addDays = (day: string, days: number) =>
  new Date((dayNumber(day) + days) * DAY_MS).toISOString().slice(0, 10);
const isDay = (text: string) => ISO_DAY.test(text) && !Number.isNaN(dayNumber(text));

/**
 * The reference price of a mineral, day by day, that purchase prices are checked against (a price
 * far under it may be coercion, far over it laundering): a chart of the period and the list, newest
 * day first. A national officer who manages due diligence sets a day's price here; the server
 * decides who may.
 */
export default function ReferencePricesPage() {
  const { t } = useTranslation(['custody-oversight', 'common']);
  const { can, active } = useSession();
  const country = useCountry();
  const [params, setParams] = useSearchParams();
  const mineral = params.get('mineral') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const title = t('custody-oversight:prices.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  // Without a mineral and period in the address (or with a day mistyped in it), gold over the last
  // 90 days: the address then says what is shown.
  const zone = country?.timeZone;
  useEffect(() => {
    if (zone === undefined || (mineral && isDay(from) && isDay(to))) return;
    const today = todayIn(zone);
    setParams(
      (current) => {
        const p = new URLSearchParams(current);
        if (!mineral) p.set('mineral', 'gold');
        if (!isDay(from)) p.set('from', addDays(today, 1 - DEFAULT_DAYS));
        if (!isDay(to)) p.set('to', today);
        return p;
      },
      { replace: true },
    );
  }, [zone, mineral, from, to, setParams]);

  // The server stays the judge; the form is offered to whoever it would accept: managing due
  // diligence over the whole country (oversight.ts, setPrice).
  const canSet = Boolean(country && can('incidents.manage') && active?.areaPath === `/${country.country}/`);
  const code = country?.country;
  const period = useMemo<Period | null>(
    () => (code && mineral && isDay(from) && isDay(to) ? { country: code, mineral, from, to } : null),
    [code, mineral, from, to],
  );

  return (
    <section aria-labelledby="prices-title" className="custody-page oversight-page">
      <h1 id="prices-title">{title}</h1>
      <p>{t('custody-oversight:prices.intro')}</p>
      {country && period ? (
        <>
          {canSet ? (
            <SetPriceForm country={country} mineral={period.mineral} />
          ) : (
            <p className="hint">{t('custody-oversight:prices.whoSets')}</p>
          )}
          <PriceFilters period={period} today={todayIn(country.timeZone)} />
          <PriceChart period={period} />
          <PriceList period={period} />
        </>
      ) : (
        <p className="loading">{t('common:loading')}</p>
      )}
    </section>
  );
}

function PriceFilters({ period, today }: { period: Period; today: string }) {
  const { t } = useTranslation(['custody-oversight', 'custody']);
  const { minerals } = useCustodyProfile();
  const [, setParams] = useSearchParams();
  const [draft, setDraft] = useState(period);
  const [problem, setProblem] = useState<'from' | 'to' | 'range' | null>(null);
  useEffect(() => setDraft(period), [period]);

  const apply = (next: Pick<Period, 'mineral' | 'from' | 'to'>) => {
    if (!isDay(next.from)) return setProblem('from');
    if (!isDay(next.to)) return setProblem('to');
    if (next.from > next.to) return setProblem('range');
    setProblem(null);
    setParams((current) => {
      const p = new URLSearchParams(current);
      p.set('mineral', next.mineral);
      p.set('from', next.from);
      p.set('to', next.to);
      return p;
    });
  };

  return (
    <FilterForm
      label={t('custody-oversight:prices.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        // Back to what the page opens on: gold over the last 90 days.
        apply({ mineral: 'gold', from: addDays(today, 1 - DEFAULT_DAYS), to: today });
      }}
    >
      <SelectField
        label={t('custody-oversight:prices.mineral')}
        value={draft.mineral}
        options={[...new Set([...minerals, period.mineral])].map((m) => ({
          value: m,
          label: t(`custody:minerals.${m}`, { defaultValue: m }),
        }))}
        onChange={(mineral) => setDraft((d) => ({ ...d, mineral }))}
      />
      <TextField
        label={t('custody-oversight:prices.from')}
        type="date"
        value={draft.from}
        onChange={(from) => setDraft((d) => ({ ...d, from }))}
        error={problem === 'from' ? t('custody-oversight:prices.dayInvalid') : undefined}
      />
      <TextField
        label={t('custody-oversight:prices.to')}
        type="date"
        value={draft.to}
        onChange={(to) => setDraft((d) => ({ ...d, to }))}
        error={
          problem === 'to'
            ? t('custody-oversight:prices.dayInvalid')
            : problem === 'range'
              ? t('custody-oversight:prices.rangeInvalid')
              : undefined
        }
      />
    </FilterForm>
  );
}

const pricesPath = (period: Period, limit: number, cursor?: string | null) =>
  `/custody/reference-prices${query({ ...period, limit, cursor })}`;

/** Newest day first, a page at a time: "load more" follows the cursor. */
function PriceList({ period }: { period: Period }) {
  const { t, i18n } = useTranslation(['custody-oversight', 'common', 'errors']);
  const captionId = useId();
  const locale = i18n.language;
  const list = useInfiniteQuery({
    queryKey: ['reference-prices', 'list', period],
    queryFn: ({ pageParam, signal }) => get<Page>(pricesPath(period, PAGE_SIZE, pageParam), signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="price-list">
      <p role="status" className="visually-hidden">
        {list.isPending ? t('common:loading') : t('custody-oversight:prices.shown', { count: items.length })}
      </p>
      {list.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(list.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {/* A scrollable region must be reachable by keyboard to be scrolled without a mouse. */}
      <section
        className="table-wrap"
        aria-labelledby={captionId}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
        tabIndex={0}
        style={{ position: 'relative' }}
      >
        <table aria-busy={list.isFetching}>
          <caption id={captionId} className="visually-hidden">
            {t('custody-oversight:prices.caption')}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('custody-oversight:prices.day')}</th>
              <th scope="col" className="num">
                {t('custody-oversight:prices.price')}
              </th>
              <th scope="col">{t('custody-oversight:prices.source')}</th>
              <th scope="col">{t('custody-oversight:prices.recordedAt')}</th>
            </tr>
          </thead>
          <tbody>
            {list.isPending ? (
              <tr>
                <td colSpan={4}>{t('common:loading')}</td>
              </tr>
            ) : items.length === 0 && !list.isError ? (
              <tr>
                <td colSpan={4}>{t('custody-oversight:prices.empty')}</td>
              </tr>
            ) : (
              items.map((p) => (
                <tr key={p.day}>
                  <th scope="row" style={{ background: 'inherit' }}>
                    <time dateTime={p.day}>{formatDay(locale, p.day)}</time>
                  </th>
                  <td className="num">{formatMoney(locale, p.priceMinor, p.currency)}</td>
                  <td>
                    <span dir="auto">{p.source}</span>
                  </td>
                  <td>
                    <time dateTime={p.recordedAt}>{formatDateTime(locale, p.recordedAt)}</time>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
      {list.hasNextPage && (
        <div className="actions">
          <button
            type="button"
            className="button secondary"
            disabled={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            {list.isFetchingNextPage ? t('common:loading') : t('custody-oversight:prices.more')}
          </button>
        </div>
      )}
    </div>
  );
}

const CHART = { width: 640, height: 200, pad: 10 };

/**
 * The period's prices as a line, a day's place on it by its date (a day without a price leaves a
 * straight stretch). It repeats the list for the eye, so it is one image to assistive technology,
 * named with the lowest, highest and latest price. Prices in another currency than the newest day's
 * cannot share its scale: they are left out, and the chart says so.
 */
function PriceChart({ period }: { period: Period }) {
  const { t, i18n } = useTranslation(['custody-oversight', 'custody']);
  const titleId = useId();
  const locale = i18n.language;
  const result = useQuery({
    queryKey: ['reference-prices', 'chart', period],
    queryFn: ({ signal }) => get<Page>(pricesPath(period, CHART_LIMIT), signal),
  });
  const page = result.data;
  const chart = useMemo(() => {
    const newest = page?.items[0];
    if (!newest) return null;
    const series = page.items.filter((p) => p.currency === newest.currency).reverse();
    const prices = series.map((p) => p.priceMinor);
    const low = Math.min(...prices);
    const high = Math.max(...prices);
    // A flat line sits in the middle rather than on the edge.
    const margin = high > low ? (high - low) * 0.08 : Math.max(1, high * 0.01);
    const [yLow, yHigh] = [low - margin, high + margin];
    const first = dayNumber(period.from);
    const span = Math.max(1, dayNumber(period.to) - first);
    const inner = { w: CHART.width - 2 * CHART.pad, h: CHART.height - 2 * CHART.pad };
    const points = series.map((p) => ({
      x: CHART.pad + ((dayNumber(p.day) - first) / span) * inner.w,
      y: CHART.pad + (1 - (p.priceMinor - yLow) / (yHigh - yLow)) * inner.h,
    }));
    return {
      currency: newest.currency,
      newest,
      low,
      high,
      points,
      count: series.length,
      otherCurrencies: series.length < page.items.length,
    };
  }, [page, period.from, period.to]);

  if (!chart) return null;
  const money = (minor: number) => formatMoney(locale, minor, chart.currency);
  const last = chart.points.at(-1)!;
  return (
    <section aria-labelledby={titleId} className="panel price-chart">
      <h2 id={titleId}>{t('custody-oversight:prices.chartTitle')}</h2>
      <dl className="summary-figures">
        <div>
          <dt>{t('custody-oversight:prices.latest')}</dt>
          <dd>{money(chart.newest.priceMinor)}</dd>
        </div>
        <div>
          <dt>{t('custody-oversight:prices.lowest')}</dt>
          <dd>{money(chart.low)}</dd>
        </div>
        <div>
          <dt>{t('custody-oversight:prices.highest')}</dt>
          <dd>{money(chart.high)}</dd>
        </div>
      </dl>
      <svg
        role="img"
        aria-label={t('custody-oversight:prices.chartLabel', {
          mineral: t(`custody:minerals.${period.mineral}`, { defaultValue: period.mineral }),
          from: formatDay(locale, period.from),
          to: formatDay(locale, period.to),
          low: money(chart.low),
          high: money(chart.high),
          latest: money(chart.newest.priceMinor),
          day: formatDay(locale, chart.newest.day),
        })}
        viewBox={`0 0 ${CHART.width} ${CHART.height}`}
        data-points={chart.count}
      >
        <line className="grid" x1={0} x2={CHART.width} y1={CHART.pad} y2={CHART.pad} />
        <line
          className="grid"
          x1={0}
          x2={CHART.width}
          y1={CHART.height - CHART.pad}
          y2={CHART.height - CHART.pad}
        />
        <polyline
          className="line"
          points={chart.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}
        />
        <circle className="latest" cx={last.x} cy={last.y} r={5} />
      </svg>
      <p className="price-chart-axis hint" aria-hidden="true">
        <span>{formatDay(locale, period.from)}</span>
        <span>{formatDay(locale, period.to)}</span>
      </p>
      {page?.nextCursor && (
        <p className="hint">{t('custody-oversight:prices.chartTruncated', { days: chart.count })}</p>
      )}
      {chart.otherCurrencies && (
        <p className="hint">
          {t('custody-oversight:prices.chartOtherCurrency', { currency: chart.currency })}
        </p>
      )}
    </section>
  );
}

type Values = { day: string; price: string; currency: string; source: string };

/** Sets one day's price of the mineral shown; a price already set for that day is replaced. */
function SetPriceForm({ country, mineral }: { country: Country; mineral: string }) {
  const { t, i18n } = useTranslation(['custody-oversight', 'custody', 'forms', 'errors']);
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const initial = useMemo<Values>(
    () => ({ day: todayIn(country.timeZone), price: '', currency: country.currency, source: '' }),
    [country.timeZone, country.currency],
  );
  const form = useZodForm(referencePriceBody, initial, {
    toInput: (v) => {
      const currency = v.currency.trim().toUpperCase();
      const minor = CURRENCY.test(currency) ? toMinorUnits(v.price, currency) : null;
      return {
        country: country.country,
        mineral,
        day: v.day,
        // Typed but not an amount of this currency: NaN, which the schema refuses.
        priceMinor: v.price.trim() === '' ? undefined : (minor ?? Number.NaN),
        currency,
        source: v.source,
      };
    },
    fieldOf: (path) =>
      path === 'priceMinor' ? 'price' : path === 'country' || path === 'mineral' ? null : undefined,
  });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<ReferencePriceDto | null>(null);
  const locale = i18n.language;
  const currency = CURRENCY.test(form.values.currency.trim().toUpperCase())
    ? form.values.currency.trim().toUpperCase()
    : country.currency;
  const example = fromMinorUnits(1250 * 10 ** currencyDigits(currency), currency);
  // A price typed that is no amount (or none above zero): say what is expected, not only "not valid".
  const priceError =
    form.errors.price && form.values.price.trim() !== ''
      ? t('custody-oversight:prices.form.priceInvalid', {
          currency,
          digits: currencyDigits(currency),
          example,
        })
      : form.error('price');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(null);
    const valid = form.validate();
    if (!valid) return;
    setBusy(true);
    try {
      const res = await api<ReferencePriceDto>('/custody/reference-prices', {
        method: 'POST',
        body: valid,
        idempotencyKey: keyFor(valid),
      });
      setSaved(res.data);
      form.setField('price', '');
      void queryClient.invalidateQueries({ queryKey: ['reference-prices'] });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const title = t('custody-oversight:prices.form.title');
  return (
    <details className="panel">
      <summary>{title}</summary>
      <form ref={form.formRef} onSubmit={submit} noValidate aria-label={title}>
        <FormError>{form.formError}</FormError>
        <p className="hint">{t('custody-oversight:prices.form.intro')}</p>
        <p>
          {t('custody-oversight:prices.form.mineral', {
            mineral: t(`custody:minerals.${mineral}`, { defaultValue: mineral }),
          })}
        </p>
        <TextField
          label={t('custody-oversight:prices.form.day')}
          hint={t('custody-oversight:prices.form.dayHint')}
          type="date"
          {...form.bind('day')}
        />
        <TextField
          label={t('custody-oversight:prices.form.price')}
          hint={t('custody-oversight:prices.form.priceHint', { currency, example })}
          inputMode="decimal"
          autoComplete="off"
          {...form.bind('price')}
          error={priceError}
        />
        <TextField
          label={t('custody-oversight:prices.form.currency')}
          hint={t('custody-oversight:prices.form.currencyHint', { currency: country.currency })}
          maxLength={3}
          autoComplete="off"
          {...form.bind('currency')}
        />
        <TextField
          label={t('custody-oversight:prices.form.source')}
          hint={t('custody-oversight:prices.form.sourceHint')}
          maxLength={200}
          {...form.bind('source')}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {t('custody-oversight:prices.form.submit')}
        </button>
        <div role="status">
          {saved && (
            <p className="notice">
              {t('custody-oversight:prices.form.saved', {
                day: formatDay(locale, saved.day),
                price: formatMoney(locale, saved.priceMinor, saved.currency),
              })}
            </p>
          )}
        </div>
      </form>
    </details>
  );
}
