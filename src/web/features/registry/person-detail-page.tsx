import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  LEGAL_BASES,
  type PersonDto,
  type PersonSensitiveDto,
  putPersonSensitiveBody,
} from '../../../shared/schemas/people.ts';
import { api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, useZodForm } from '../../components/form.tsx';
import { PersonEdit } from './person-edit.tsx';
import { PersonPhoto } from './person-photo.tsx';
import {
  ApplyForLicenceLink,
  DateText,
  EntityHistory,
  Fact,
  HolderLicences,
  ID_TYPES,
  ImprovementLink,
  LoadFailed,
  problemKey,
  usePageTitle,
} from './registry-shared.tsx';

interface Loaded {
  person: PersonDto;
  etag: string | null;
}

/** One person: the record, the vulnerable-group attributes on request, licences, history. */
export default function PersonDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(
    (location.state as { created?: boolean } | null)?.created ? 'registry:personNew.created' : null,
  );

  // "Registered" is said once: a reload of this history entry later must not say it again.
  useEffect(() => {
    if ((location.state as { created?: boolean } | null)?.created) {
      navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    }
  }, [location, navigate]);

  const result = useQuery({
    queryKey: ['person', id],
    queryFn: async ({ signal }): Promise<Loaded> => {
      const res = await api<PersonDto>(`/people/${id}`, { signal });
      return { person: res.data, etag: res.etag };
    },
  });
  const p = result.data?.person;
  const title = p ? `${p.givenName} ${p.familyName}` : t('registry:person.title');
  usePageTitle(title);

  if (result.isPending) return <p className="loading">{t('registry:loading')}</p>;
  if (result.isError) {
    return (
      <LoadFailed
        error={result.error}
        back="/registry/people"
        backText={t('registry:people.back')}
        title={t('registry:person.title')}
      />
    );
  }
  const person = result.data.person;
  const idType = person.idDocument?.type;

  return (
    <section aria-labelledby="person-title">
      <p>
        <Link to="/registry/people">{t('registry:people.back')}</Link>
      </p>
      <h1 id="person-title">{title}</h1>
      <div role="status">{notice && <p className="notice">{t(notice)}</p>}</div>
      <div className="actions">
        <ApplyForLicenceLink holderKind="person" holderId={person.id} />
        <ImprovementLink subjectKind="person" subjectId={person.id} />
      </div>
      <PersonPhoto
        person={person}
        onChanged={(next, etag) => {
          queryClient.setQueryData<Loaded>(['person', id], { person: next, etag });
          void queryClient.invalidateQueries({ queryKey: ['entity-history', 'person', id] });
        }}
      />
      <dl className="registry-facts">
        <Fact label={t('registry:reference')}>
          <span dir="ltr">{person.reference}</span>
        </Fact>
        <Fact label={t('registry:person.givenName')}>{person.givenName}</Fact>
        <Fact label={t('registry:person.familyName')}>{person.familyName}</Fact>
        <Fact label={t('registry:person.otherNames')}>{person.otherNames}</Fact>
        <Fact label={t('registry:person.sex')}>{t(`registry:sexes.${person.sex}`)}</Fact>
        <Fact label={t('registry:person.birth')}>
          {person.birthDate ? (
            <DateText value={person.birthDate} />
          ) : person.birthYear !== null ? (
            String(person.birthYear)
          ) : person.ageBand ? (
            t('registry:person.ageBandValue', { band: person.ageBand })
          ) : null}
        </Fact>
        <Fact label={t('registry:person.phone')}>
          {person.phone && <span dir="ltr">{person.phone}</span>}
        </Fact>
        <Fact label={t('registry:person.idDocument')}>
          {person.idDocument &&
            `${ID_TYPES.includes(idType ?? '') ? t(`registry:idTypes.${idType}`) : idType} · ${person.idDocument.number}`}
        </Fact>
        <Fact label={t('registry:person.residence')}>
          <AreaName id={person.areaId} />
        </Fact>
        <Fact label={t('registry:registeredAt')}>
          <DateText value={person.createdAt} withTime />
        </Fact>
      </dl>
      {can('registry.write') && (
        <PersonEdit
          // A new form for each saved version of the record.
          key={person.version}
          person={person}
          etag={result.data.etag}
          onDone={(res) => {
            queryClient.setQueryData<Loaded>(['person', id], { person: res.data, etag: res.etag });
            void queryClient.invalidateQueries({ queryKey: tableQueryKey('/people') });
            void queryClient.invalidateQueries({ queryKey: ['entity-history', 'person', id] });
            setNotice('registry:personEdit.saved');
          }}
          onConflict={() => void queryClient.invalidateQueries({ queryKey: ['person', id] })}
        />
      )}
      <SensitiveAttributes personId={person.id} />
      <HolderLicences holderKind="person" holderId={person.id} />
      <EntityHistory entityType="person" entityId={person.id} />
    </section>
  );
}

const TRI = ['yes', 'no', 'unknown'] as const;
const triOf = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');
const boolOf = (v: string) => (v === 'yes' ? true : v === 'no' ? false : null);

/**
 * Disability, migrant, ethnic minority: shown only on an explicit request, because the server
 * records every reading in the audit trail; nothing is kept in the page's cache.
 */
function SensitiveAttributes({ personId }: { personId: string }) {
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [data, setData] = useState<PersonSensitiveDto | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  if (!can('registry.sensitive.read')) return null;

  async function show() {
    setBusy(true);
    setProblem(null);
    try {
      setData((await api<PersonSensitiveDto>(`/people/${personId}/sensitive`)).data);
      // The reading itself is now in the record's history.
      void queryClient.invalidateQueries({ queryKey: ['entity-history', 'person', personId] });
    } catch (err) {
      setProblem(problemKey(err));
    } finally {
      setBusy(false);
    }
  }

  const value = (v: boolean | null) => t(`registry:sensitive.values.${triOf(v)}`);

  return (
    <section aria-labelledby={headingId} className="registry-section panel">
      <h2 id={headingId} style={{ marginTop: 0 }}>
        {t('registry:sensitive.title')}
      </h2>
      <p className="hint">{t('registry:sensitive.audited')}</p>
      {problem && (
        <p className="form-error" role="alert">
          {t(problem, { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {data === null ? (
        <button type="button" className="button secondary" disabled={busy} onClick={() => void show()}>
          {t('registry:sensitive.show')}
        </button>
      ) : (
        <>
          {data.legalBasis === null ? (
            <p>{t('registry:sensitive.none')}</p>
          ) : (
            <dl className="registry-facts">
              <Fact label={t('registry:sensitive.disability')}>{value(data.disability)}</Fact>
              <Fact label={t('registry:sensitive.migrant')}>{value(data.migrant)}</Fact>
              <Fact label={t('registry:sensitive.ethnicMinority')}>{value(data.ethnicMinority)}</Fact>
              <Fact label={t('registry:sensitive.legalBasis')}>
                {t(`registry:sensitive.bases.${data.legalBasis}`)}
              </Fact>
              <Fact label={t('registry:sensitive.recordedAt')}>
                {data.recordedAt && <DateText value={data.recordedAt} withTime />}
              </Fact>
            </dl>
          )}
          <div className="actions">
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setData(null);
                setEditing(false);
              }}
            >
              {t('registry:sensitive.hide')}
            </button>
            {can('registry.write') && !editing && (
              <button type="button" className="button secondary" onClick={() => setEditing(true)}>
                {t('registry:sensitive.record')}
              </button>
            )}
          </div>
          {editing && (
            <RecordSensitive
              personId={personId}
              current={data}
              onDone={(next) => {
                setData(next);
                setEditing(false);
                void queryClient.invalidateQueries({ queryKey: ['entity-history', 'person', personId] });
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

function RecordSensitive({
  personId,
  current,
  onDone,
}: {
  personId: string;
  current: PersonSensitiveDto;
  onDone(next: PersonSensitiveDto): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const [busy, setBusy] = useState(false);
  const form = useZodForm(
    putPersonSensitiveBody,
    {
      disability: triOf(current.disability) as string,
      migrant: triOf(current.migrant) as string,
      ethnicMinority: triOf(current.ethnicMinority) as string,
      legalBasis: current.legalBasis ?? '',
    },
    {
      toInput: (v) => ({
        disability: boolOf(v.disability),
        migrant: boolOf(v.migrant),
        ethnicMinority: boolOf(v.ethnicMinority),
        legalBasis: v.legalBasis || undefined,
      }),
    },
  );
  const options = TRI.map((v) => ({ value: v, label: t(`registry:sensitive.values.${v}`) }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      onDone((await api<PersonSensitiveDto>(`/people/${personId}/sensitive`, { method: 'PUT', body })).data);
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate className="registry-form">
      <SelectField
        label={t('registry:sensitive.disability')}
        options={options}
        {...form.bind('disability')}
      />
      <SelectField label={t('registry:sensitive.migrant')} options={options} {...form.bind('migrant')} />
      <SelectField
        label={t('registry:sensitive.ethnicMinority')}
        options={options}
        {...form.bind('ethnicMinority')}
      />
      <SelectField
        label={t('registry:sensitive.legalBasis')}
        hint={t('registry:sensitive.legalBasisHint')}
        placeholder={t('registry:choose')}
        options={LEGAL_BASES.map((b) => ({ value: b, label: t(`registry:sensitive.bases.${b}`) }))}
        required
        {...form.bind('legalBasis')}
      />
      <FormError>{form.formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('registry:saving') : t('registry:sensitive.save')}
      </button>
    </form>
  );
}
