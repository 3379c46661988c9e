import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The filter bar above a list: a search landmark with its fields, Search and Clear. The page keeps
 * the draft values; this form only says when to apply or clear them.
 */
export function FilterForm({
  label,
  onApply,
  onClear,
  children,
}: {
  label: string;
  onApply: () => void;
  onClear: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation('common');
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply();
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not a landmark in the older browsers officers use
    <form role="search" aria-label={label} className="filters" onSubmit={submit}>
      {children}
      <div className="actions" style={{ margin: 0 }}>
        <button type="submit" className="button primary">
          {t('actions.search')}
        </button>
        <button type="button" className="button secondary" onClick={onClear}>
          {t('actions.clear')}
        </button>
      </div>
    </form>
  );
}
