import './profile-page.css';
import { useQuery } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { formatDateTime, formatMoney } from '../../../../shared/format.ts';
import type { CountryProfile, LicenceTier, LocalizedText } from '../../../../shared/profile-schema.ts';
import { ApiError, get, NetworkError } from '../../../api/client.ts';

interface ProfileSummary {
  country: string;
  profileId: string;
  version: string;
  checksum: string;
  loadedAt: string;
}
interface ProfileResponse extends ProfileSummary {
  document: CountryProfile;
}

/** Picks a profile text in the interface language, else in the profile's first language. */
type Pick = (text: LocalizedText | undefined) => { text: string; lang: string };

function makePick(uiLanguage: string, profileLanguages: readonly string[]): Pick {
  return (text) => {
    if (!text) return { text: '', lang: uiLanguage };
    const tags = Object.keys(text);
    const lang =
      tags.find((tag) => tag === uiLanguage) ??
      tags.find((tag) => tag.split('-')[0] === uiLanguage) ??
      profileLanguages.find((tag) => tag in text) ??
      tags[0] ??
      uiLanguage;
    return { text: text[lang] ?? '', lang };
  };
}

/** "5.0" → 5 %, keeping the precision the profile wrote; display only (sums use integers). */
function formatPercent(locale: string, value: string): string {
  const decimals = value.split('.')[1]?.length ?? 0;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: decimals + 2 }).format(
    Number(value) / 100,
  );
}

/** Integer hundredths of a percent, so the benefit-sharing total is exact. */
function basisPoints(value: string): number {
  const [whole = '0', fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

function formatUnit(locale: string, value: number, unit: 'hectare' | 'month' | 'day'): string {
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'long',
    maximumFractionDigits: 2,
  }).format(value);
}

/** A code as a last resort label: "weekly_production_logbook" → "Weekly production logbook". */
function humanize(code: string): string {
  const text = code.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function displayName(locale: string, type: 'language' | 'currency', code: string): string {
  try {
    return new Intl.DisplayNames([locale], { type }).of(code) ?? code;
  } catch {
    return code;
  }
}

export default function ProfilePage() {
  const { t } = useTranslation(['profile', 'errors', 'common']);
  const [params, setParams] = useSearchParams();
  const requested = params.get('profile') ?? 'current';
  const selectId = useId();

  const list = useQuery({
    queryKey: ['profiles'],
    queryFn: ({ signal }) => get<{ items: ProfileSummary[]; active: string }>('/profiles', signal),
    staleTime: 300_000,
  });
  const profile = useQuery({
    queryKey: ['profile', requested],
    queryFn: ({ signal }) => get<ProfileResponse>(`/profiles/${encodeURIComponent(requested)}`, signal),
    staleTime: 300_000,
  });

  const errorText = (error: unknown) => {
    if (error instanceof ApiError) return t(`errors:${error.code}`, { defaultValue: t('errors:unknown') });
    if (error instanceof NetworkError) return t('errors:network');
    return t('errors:unknown');
  };

  const profiles = list.data?.items ?? [];
  const active = list.data?.active;
  const shownId = profile.data?.profileId ?? (requested === 'current' ? active : requested);

  return (
    <section aria-labelledby="profile-title" className="profile-page">
      <h1 id="profile-title">{t('profile:title')}</h1>
      <p className="lead">{t('profile:intro')}</p>

      {profiles.length > 1 && (
        <div className="field profile-chooser">
          <label htmlFor={selectId}>{t('profile:chooser')}</label>
          <select
            id={selectId}
            value={shownId ?? ''}
            onChange={(e) =>
              setParams(e.target.value === active ? {} : { profile: e.target.value }, { replace: true })
            }
          >
            {profiles.map((p) => (
              <option key={p.profileId} value={p.profileId}>
                {p.profileId === active
                  ? t('profile:chooserActive', { id: p.profileId, version: p.version })
                  : t('profile:chooserOption', { id: p.profileId, version: p.version })}
              </option>
            ))}
          </select>
        </div>
      )}

      {profile.isPending && <p className="loading">{t('common:loading')}</p>}
      {profile.isError && (
        <div className="form-error" role="alert">
          <p>{errorText(profile.error)}</p>
          <button type="button" className="button secondary" onClick={() => void profile.refetch()}>
            {t('common:actions.retry')}
          </button>
        </div>
      )}
      {profile.data && (
        <ProfileView
          summary={profile.data}
          doc={profile.data.document}
          isActive={profile.data.profileId === active}
        />
      )}
    </section>
  );
}

const SECTIONS = [
  'general',
  'tiers',
  'royalties',
  'fees',
  'benefits',
  'price',
  'boundaries',
  'roles',
  'notes',
] as const;

function ProfileView({
  summary,
  doc,
  isActive,
}: {
  summary: ProfileSummary;
  doc: CountryProfile;
  isActive: boolean;
}) {
  const { t, i18n } = useTranslation(['profile', 'common']);
  const locale = i18n.language;
  const pick = useMemo(() => makePick(locale, doc.languages), [locale, doc.languages]);
  const levelName = (key: string) => doc.adminLevels.find((l) => l.key === key)?.names;
  const tierByCode = new Map(doc.licenceTiers.map((tier) => [tier.code, tier]));
  const sections = SECTIONS.filter((s) => s !== 'roles' || (doc.roles && Object.keys(doc.roles).length > 0));
  const shareTotal = doc.benefitSharing.reduce((sum, b) => sum + basisPoints(b.sharePercent), 0);

  return (
    <PickContext.Provider value={pick}>
      <p className="profile-heading">
        <strong>
          <L text={doc.name} />
        </strong>{' '}
        <span className="profile-version">{t('profile:versionLabel', { version: summary.version })}</span>{' '}
        {isActive && <span className="badge ok">{t('profile:active')}</span>}
      </p>

      <nav aria-labelledby="profile-toc" className="panel profile-toc">
        <h2 id="profile-toc">{t('profile:toc')}</h2>
        <ul>
          {sections.map((s) => (
            <li key={s}>
              <a href={`#profile-${s}`}>{t(`profile:sections.${s}`)}</a>
            </li>
          ))}
        </ul>
      </nav>

      <Section id="general">
        <dl className="facts">
          <dt>{t('profile:general.country')}</dt>
          <dd>
            <L text={doc.name} /> (<code>{doc.country}</code>)
          </dd>
          <dt>{t('profile:general.profileId')}</dt>
          <dd>
            <code>{doc.profileId}</code>
          </dd>
          <dt>{t('profile:general.version')}</dt>
          <dd>{doc.version}</dd>
          <dt>{t('profile:general.loadedAt')}</dt>
          <dd>{formatDateTime(locale, summary.loadedAt, doc.timeZone)}</dd>
          <dt>{t('profile:general.checksum')}</dt>
          <dd>
            <code className="profile-checksum">{summary.checksum}</code>
          </dd>
          <dt>{t('profile:general.languages')}</dt>
          <dd>
            <ul className="profile-inline">
              {doc.languages.map((lang, i) => (
                <li key={lang}>
                  {displayName(locale, 'language', lang)} (<code>{lang}</code>)
                  {i === 0 && <>, {t('profile:general.defaultLanguage')}</>}
                </li>
              ))}
            </ul>
          </dd>
          <dt>{t('profile:general.currency')}</dt>
          <dd>
            {displayName(locale, 'currency', doc.currency)} (<code>{doc.currency}</code>)
          </dd>
          <dt>{t('profile:general.timeZone')}</dt>
          <dd>{doc.timeZone}</dd>
          <dt>{t('profile:general.adminLevels')}</dt>
          <dd>
            <ul className="profile-levels">
              {[...doc.adminLevels]
                .sort((a, b) => a.level - b.level)
                .map((l) => (
                  <li key={l.level}>
                    {t('profile:general.levelItem', { level: l.level })} <L text={l.names} />
                  </li>
                ))}
            </ul>
          </dd>
        </dl>
      </Section>

      <Section id="tiers">
        <TableWrap label={t('profile:sections.tiers')}>
          <table>
            <caption className="visually-hidden">{t('profile:tiers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('profile:tiers.tier')}</th>
                <th scope="col">{t('profile:tiers.holders')}</th>
                <th scope="col" className="num">
                  {t('profile:tiers.maxArea')}
                </th>
                <th scope="col" className="num">
                  {t('profile:tiers.validity')}
                </th>
                <th scope="col" className="num">
                  {t('profile:tiers.fee')}
                </th>
                <th scope="col">{t('profile:tiers.issuingLevel')}</th>
                <th scope="col" className="num">
                  {t('profile:tiers.serviceStandard')}
                </th>
              </tr>
            </thead>
            <tbody>
              {doc.licenceTiers.map((tier) => (
                <tr key={tier.code}>
                  <th scope="row">
                    <a href={`#tier-${tier.code}`}>
                      <L text={tier.names} />
                    </a>
                  </th>
                  <td>{tier.holderKinds.map((k) => t(`profile:holders.${k}`)).join(', ')}</td>
                  <td className="num">{formatUnit(locale, tier.maxAreaHectares, 'hectare')}</td>
                  <td className="num">{formatUnit(locale, tier.validityMonths, 'month')}</td>
                  <td className="num">{formatMoney(locale, tier.fee.amountMinor, tier.fee.currency)}</td>
                  <td>
                    <L text={levelName(tier.issuingLevel)} />
                  </td>
                  <td className="num">{formatUnit(locale, tier.serviceStandardDays, 'day')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {doc.licenceTiers.map((tier) => (
          <TierDetails
            key={tier.code}
            tier={tier}
            next={tier.nextTier ? tierByCode.get(tier.nextTier) : undefined}
            issuing={<L text={levelName(tier.issuingLevel)} />}
          />
        ))}
      </Section>

      <Section id="royalties">
        {doc.royalties.length === 0 ? (
          <p>{t('profile:royalties.none')}</p>
        ) : (
          <TableWrap label={t('profile:sections.royalties')}>
            <table>
              <caption className="visually-hidden">{t('profile:sections.royalties')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('profile:royalties.mineral')}</th>
                  <th scope="col" className="num">
                    {t('profile:royalties.rate')}
                  </th>
                  <th scope="col">{t('profile:royalties.basis')}</th>
                </tr>
              </thead>
              <tbody>
                {doc.royalties.map((r) => (
                  <tr key={r.mineral}>
                    <th scope="row">
                      {t(`profile:minerals.${r.mineral}`, { defaultValue: humanize(r.mineral) })}
                    </th>
                    <td className="num">{formatPercent(locale, r.ratePercent)}</td>
                    <td>{t(`profile:bases.${r.basis}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Section>

      <Section id="fees">
        {doc.fees.length === 0 ? (
          <p>{t('profile:fees.none')}</p>
        ) : (
          <TableWrap label={t('profile:sections.fees')}>
            <table>
              <caption className="visually-hidden">{t('profile:sections.fees')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('profile:fees.fee')}</th>
                  <th scope="col">{t('profile:fees.code')}</th>
                  <th scope="col" className="num">
                    {t('profile:fees.amount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {doc.fees.map((f) => (
                  <tr key={f.code}>
                    <th scope="row">
                      <L text={f.names} />
                    </th>
                    <td>
                      <code>{f.code}</code>
                    </td>
                    <td className="num">{formatMoney(locale, f.amountMinor, f.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </Section>

      <Section id="benefits">
        <p>{t('profile:benefits.intro')}</p>
        <TableWrap label={t('profile:sections.benefits')}>
          <table>
            <caption className="visually-hidden">{t('profile:sections.benefits')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('profile:benefits.recipient')}</th>
                <th scope="col" className="num">
                  {t('profile:benefits.share')}
                </th>
              </tr>
            </thead>
            <tbody>
              {doc.benefitSharing.map((b) => (
                <tr key={b.recipient}>
                  <th scope="row">
                    <L text={b.names} />
                    <span className="profile-bar" aria-hidden="true">
                      <span style={{ width: `${basisPoints(b.sharePercent) / 100}%` }} />
                    </span>
                  </th>
                  <td className="num">{formatPercent(locale, b.sharePercent)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('profile:benefits.total')}</th>
                <td className="num">{formatPercent(locale, (shareTotal / 100).toFixed(2))}</td>
              </tr>
            </tfoot>
          </table>
        </TableWrap>
      </Section>

      <Section id="price">
        <dl className="facts">
          <dt>{t('profile:price.method')}</dt>
          <dd>{t(`profile:priceMethods.${doc.referencePrice.method}`)}</dd>
          <dt>{t('profile:price.discount')}</dt>
          <dd>{formatPercent(locale, doc.referencePrice.discountPercent)}</dd>
          <dt>{t('profile:price.conversion')}</dt>
          <dd>{t(`profile:conversions.${doc.referencePrice.currencyConversion}`)}</dd>
          <dt>{t('profile:price.notes')}</dt>
          <dd>
            <L text={doc.referencePrice.notes} />
          </dd>
        </dl>
      </Section>

      <Section id="boundaries">
        {doc.boundaries.length === 0 ? (
          <p>{t('profile:boundaries.none')}</p>
        ) : (
          <ul className="profile-cards">
            {[...doc.boundaries]
              .sort((a, b) => a.level - b.level)
              .map((b) => {
                const level = doc.adminLevels.find((l) => l.level === b.level);
                return (
                  <li key={`${b.level}-${b.file}`} className="panel">
                    <h3>
                      {t('profile:general.levelItem', { level: b.level })} <L text={level?.names} />{' '}
                      {b.isDemo && <span className="badge demo">{t('profile:boundaries.demo')}</span>}
                    </h3>
                    {b.isDemo && (
                      <p className="profile-demo-note">{t('profile:boundaries.demoExplanation')}</p>
                    )}
                    <dl className="facts">
                      <dt>{t('profile:boundaries.source')}</dt>
                      <dd>{b.source}</dd>
                      <dt>{t('profile:boundaries.licence')}</dt>
                      <dd>{b.licence}</dd>
                      <dt>{t('profile:boundaries.file')}</dt>
                      <dd>
                        <code>{b.file}</code>
                      </dd>
                      <dt>{t('profile:boundaries.note')}</dt>
                      <dd>
                        <L text={b.note} />
                      </dd>
                    </dl>
                  </li>
                );
              })}
          </ul>
        )}
      </Section>

      {sections.includes('roles') && doc.roles && (
        <Section id="roles">
          <p>{t('profile:roles.intro')}</p>
          <TableWrap label={t('profile:sections.roles')}>
            <table>
              <caption className="visually-hidden">{t('profile:sections.roles')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('profile:roles.role')}</th>
                  <th scope="col">{t('profile:roles.title')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(doc.roles).map(([role, names]) => (
                  <tr key={role}>
                    <th scope="row">{t(`common:roles.${role}`, { defaultValue: humanize(role) })}</th>
                    <td>
                      <L text={names} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </Section>
      )}

      <Section id="notes">
        <p className="profile-notes">
          <L text={doc.notes} />
        </p>
      </Section>
    </PickContext.Provider>
  );
}

const PickContext = createContext<Pick>(makePick('en', []));

/** Profile text, marked with its language when it is not the interface's (screen readers switch voice). */
function L({ text }: { text: LocalizedText | undefined }) {
  const { i18n } = useTranslation();
  const p = useContext(PickContext)(text);
  return <span lang={p.lang === i18n.language ? undefined : p.lang}>{p.text}</span>;
}

/** A table that may scroll sideways on a phone: focusable, so the keyboard can scroll it too. */
function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus (WCAG 2.1.1)
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

function Section({ id, children }: { id: (typeof SECTIONS)[number]; children: ReactNode }) {
  const { t } = useTranslation('profile');
  return (
    <section id={`profile-${id}`} aria-labelledby={`profile-${id}-title`} className="profile-section">
      <h2 id={`profile-${id}-title`}>{t(`sections.${id}`)}</h2>
      {children}
    </section>
  );
}

function TierDetails({
  tier,
  next,
  issuing,
}: {
  tier: LicenceTier;
  next: LicenceTier | undefined;
  issuing: ReactNode;
}) {
  const { t, i18n } = useTranslation('profile');
  const locale = i18n.language;
  const titleId = `tier-${tier.code}-title`;
  return (
    <article id={`tier-${tier.code}`} className="panel profile-tier" aria-labelledby={titleId}>
      <h3 id={titleId}>
        <L text={tier.names} />
      </h3>
      <dl className="facts">
        <dt>{t('tiers.code')}</dt>
        <dd>
          <code>{tier.code}</code>
        </dd>
        <dt>{t('tiers.holders')}</dt>
        <dd>{tier.holderKinds.map((k) => t(`holders.${k}`)).join(', ')}</dd>
        <dt>{t('tiers.maxArea')}</dt>
        <dd>{formatUnit(locale, tier.maxAreaHectares, 'hectare')}</dd>
        <dt>{t('tiers.validity')}</dt>
        <dd>{formatUnit(locale, tier.validityMonths, 'month')}</dd>
        <dt>{t('tiers.fee')}</dt>
        <dd>{formatMoney(locale, tier.fee.amountMinor, tier.fee.currency)}</dd>
        <dt>{t('tiers.issuingLevel')}</dt>
        <dd>{issuing}</dd>
        <dt>{t('tiers.serviceStandard')}</dt>
        <dd>
          {t('tiers.serviceStandardValue', { days: formatUnit(locale, tier.serviceStandardDays, 'day') })}
        </dd>
        <dt>{t('tiers.reportingDuty')}</dt>
        <dd>
          {t('tiers.reportingValue', {
            frequency: t(`frequency.${tier.reportingDuty.frequency}`),
            report: t(`reports.${tier.reportingDuty.report}`, {
              defaultValue: humanize(tier.reportingDuty.report),
            }),
          })}
        </dd>
        <dt>{t('tiers.nextTier')}</dt>
        <dd>
          {next ? (
            <a href={`#tier-${next.code}`}>
              <L text={next.names} />
            </a>
          ) : (
            t('tiers.noNextTier')
          )}
        </dd>
      </dl>
      <div className="profile-lists">
        <div>
          <h4>{t('tiers.requirements')}</h4>
          {tier.requirements.length === 0 ? (
            <p>{t('tiers.noRequirements')}</p>
          ) : (
            <ul>
              {tier.requirements.map((r) => (
                <li key={r.code}>
                  <L text={r.names} />
                  {r.support && r.support.length > 0 && (
                    <ul className="profile-support" aria-label={t('tiers.support')}>
                      {r.support.map((s) => (
                        <li key={`${s.kind}:${Object.values(s.names)[0]}`}>
                          <span className="badge">{t(`supportKinds.${s.kind}`)}</span> <L text={s.names} />
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h4>{t('tiers.incentives')}</h4>
          {tier.incentives.length === 0 ? (
            <p>{t('tiers.noIncentives')}</p>
          ) : (
            <ul>
              {tier.incentives.map((r) => (
                <li key={r.code}>
                  <L text={r.names} />
                </li>
              ))}
            </ul>
          )}
        </div>
        {tier.conditions && tier.conditions.length > 0 && (
          <div>
            <h4>{t('tiers.conditions')}</h4>
            <ul>
              {tier.conditions.map((c) => (
                <li key={c.code}>
                  <L text={c.names} />{' '}
                  <span className="muted">({t('tiers.conditionDue', { count: c.dueMonths })})</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </article>
  );
}
