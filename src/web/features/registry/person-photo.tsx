import { type ChangeEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonDto } from '../../../shared/schemas/people.ts';
import { ApiError, api, NetworkError } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { problemKey } from './registry-shared.tsx';

/** A phone camera gives 4 MB; scaled to 800 px at JPEG 0.8 a face is about 100 KB over mobile data. */
const LONGEST_SIDE = 800;
const JPEG_QUALITY = 0.8;

class UnreadablePicture extends Error {}

/** The picture scaled down (never up) so its longest side is at most 800 px, as a JPEG. */
async function scaleDown(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new UnreadablePicture();
  }
  const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new UnreadablePicture();
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY),
  );
  if (!blob) throw new UnreadablePicture();
  return blob;
}

/** PUT with upload progress, which fetch cannot report. */
function upload(
  personId: string,
  body: Blob,
  onProgress: (percent: number) => void,
): Promise<{ person: PersonDto; etag: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/api/v1/people/${personId}/photo`);
    xhr.setRequestHeader('content-type', body.type || 'image/jpeg');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new NetworkError());
    xhr.onload = () => {
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        // An answer that is not JSON is reported by its status.
      }
      if (xhr.status >= 200 && xhr.status < 300)
        resolve({ person: payload as unknown as PersonDto, etag: xhr.getResponseHeader('etag') });
      else
        reject(
          new ApiError(
            xhr.status,
            typeof payload.code === 'string' ? payload.code : `http.${xhr.status}`,
            typeof payload.title === 'string' ? payload.title : xhr.statusText,
            [],
            payload,
          ),
        );
    };
    xhr.send(body);
  });
}

type Activity = { kind: 'preparing' } | { kind: 'uploading'; percent: number } | { kind: 'removing' };

/** The person's photo, and for those who may change the person: add, replace, remove. */
export function PersonPhoto({
  person,
  onChanged,
}: {
  person: PersonDto;
  onChanged(next: PersonDto, etag: string | null): void;
}) {
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const headingId = useId();
  const inputId = useId();
  const [activity, setActivity] = useState<Activity | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const name = `${person.givenName} ${person.familyName}`;
  const mayChange = can('registry.write');

  async function choose(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setProblem(null);
    setNotice(null);
    try {
      setActivity({ kind: 'preparing' });
      const scaled = await scaleDown(file);
      setActivity({ kind: 'uploading', percent: 0 });
      const next = await upload(person.id, scaled, (percent) => setActivity({ kind: 'uploading', percent }));
      setNotice('registry:photo.saved');
      onChanged(next.person, next.etag);
    } catch (err) {
      setProblem(err instanceof UnreadablePicture ? 'registry:photo.unreadable' : problemKey(err));
    } finally {
      setActivity(null);
    }
  }

  async function remove() {
    setProblem(null);
    setNotice(null);
    setActivity({ kind: 'removing' });
    try {
      const res = await api<PersonDto>(`/people/${person.id}/photo`, { method: 'DELETE' });
      setNotice('registry:photo.removed');
      onChanged(res.data, res.etag);
    } catch (err) {
      setProblem(problemKey(err));
    } finally {
      setActivity(null);
    }
  }

  if (!person.hasPhoto && !mayChange) return null;
  return (
    <section aria-labelledby={headingId} className="registry-section panel person-photo">
      <h2 id={headingId} style={{ marginTop: 0 }}>
        {t('registry:photo.title')}
      </h2>
      {person.hasPhoto ? (
        <img
          // The version changes with every new picture, so the browser never shows the old one.
          src={`/api/v1/people/${person.id}/photo?v=${person.version}`}
          alt={name}
          style={{ maxWidth: '100%', width: '12rem', height: 'auto', borderRadius: '4px' }}
        />
      ) : (
        <p>{t('registry:photo.none')}</p>
      )}
      <div role="status">
        {activity && (
          <p>
            {activity.kind === 'uploading'
              ? t('registry:photo.uploading', { percent: activity.percent })
              : t(`registry:photo.${activity.kind}`)}
          </p>
        )}
        {notice && !activity && <p className="notice">{t(notice)}</p>}
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {t(problem, { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {mayChange && (
        <div className="actions">
          <label htmlFor={inputId} className="button secondary" aria-disabled={activity !== null}>
            {person.hasPhoto ? t('registry:photo.replace') : t('registry:photo.add')}
          </label>
          <input
            id={inputId}
            type="file"
            accept="image/*"
            capture="environment"
            className="visually-hidden"
            disabled={activity !== null}
            onChange={(e) => void choose(e)}
          />
          {person.hasPhoto && (
            <button
              type="button"
              className="button secondary"
              disabled={activity !== null}
              onClick={() => void remove()}
            >
              {t('registry:photo.remove')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
