import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaMapProps } from './types.ts';

// maplibre-gl is large: it loads with the first screen that shows a map, never with sign-in or home.
const AreaMap = lazy(() => import('./area-map.tsx'));

/** The map component, loaded on demand, with a placeholder of the map's size meanwhile. */
export function LazyAreaMap(props: AreaMapProps) {
  const { t } = useTranslation('areas');
  return (
    <Suspense
      fallback={
        <div className="map" role="status" style={{ display: 'grid', placeItems: 'center' }}>
          {t('map.loading')}
        </div>
      }
    >
      <AreaMap {...props} />
    </Suspense>
  );
}
