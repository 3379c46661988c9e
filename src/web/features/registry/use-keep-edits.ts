import { useEffect, useRef } from 'react';

/**
 * When the record under an edit form is read again (after a 412: someone changed it meanwhile), the
 * form takes the new record's values but keeps the fields the user had changed, and says why; a
 * save then changes only those, with the new ETag, and does not undo the other person's change.
 */
export function useKeepEditsOnReload<V extends Record<string, unknown>>(
  form: { values: V; reset(values?: V): void; setFormError(key: string | null): void },
  initial: V,
): void {
  const previous = useRef(initial);
  const formRef = useRef(form);
  formRef.current = form;
  useEffect(() => {
    const before = previous.current;
    if (before === initial) return;
    previous.current = initial;
    const f = formRef.current;
    const mine = Object.fromEntries(
      Object.entries(f.values).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])),
    );
    f.reset({ ...initial, ...mine } as V);
    f.setFormError('registry:editConflict');
  }, [initial]);
}
