/**
 * The modules of the web client, each behind the permission its screens need. Later issues add
 * their entries here (registry, licences, lots, purchases…).
 */
export interface NavEntry {
  path: string;
  /** Key in the "common" namespace. */
  label: string;
  permission: string | null;
  /** Key in the "home" namespace: one line on the home page card. */
  description: string;
}

export const NAVIGATION: NavEntry[] = [
  { path: '/registry/people', label: 'nav.people', permission: 'registry.read', description: 'cards.people' },
  {
    path: '/registry/enterprises',
    label: 'nav.enterprises',
    permission: 'registry.read',
    description: 'cards.enterprises',
  },
  {
    path: '/registry/production-units',
    label: 'nav.productionUnits',
    permission: 'registry.read',
    description: 'cards.productionUnits',
  },
  {
    path: '/licensing/queue',
    label: 'nav.licensingQueue',
    permission: 'licensing.read',
    description: 'cards.licensingQueue',
  },
  {
    path: '/licensing/licences',
    label: 'nav.licences',
    permission: 'licensing.read',
    description: 'cards.licences',
  },
  {
    path: '/cadastre/hotspots',
    label: 'nav.hotspots',
    permission: 'cadastre.read',
    description: 'cards.hotspots',
  },
  {
    path: '/cadastre/layers',
    label: 'nav.cadastreLayers',
    permission: 'cadastre.read',
    description: 'cards.cadastreLayers',
  },
  {
    path: '/custody/lots',
    label: 'nav.custodyLots',
    permission: 'custody.read',
    description: 'cards.custodyLots',
  },
  {
    path: '/custody/actors',
    label: 'nav.custodyActors',
    permission: 'custody.read',
    description: 'cards.custodyActors',
  },
  {
    path: '/custody/flags',
    label: 'nav.custodyFlags',
    permission: 'custody.read',
    description: 'cards.custodyFlags',
  },
  {
    path: '/custody/incidents',
    label: 'nav.custodyIncidents',
    permission: 'incidents.read',
    description: 'cards.custodyIncidents',
  },
  {
    path: '/custody/mass-balance',
    label: 'nav.massBalance',
    permission: 'custody.read',
    description: 'cards.massBalance',
  },
  {
    path: '/custody/reference-prices',
    label: 'nav.referencePrices',
    permission: 'custody.read',
    description: 'cards.referencePrices',
  },
  {
    path: '/logbooks/missing',
    label: 'nav.missingLogbooks',
    permission: 'logbooks.read',
    description: 'cards.missingLogbooks',
  },
  {
    path: '/improvement',
    label: 'nav.improvement',
    permission: 'improvement.read',
    description: 'cards.improvement',
  },
  { path: '/admin/users', label: 'nav.users', permission: 'users.read', description: 'cards.users' },
  { path: '/admin/areas', label: 'nav.areas', permission: 'areas.read', description: 'cards.areas' },
  { path: '/admin/profile', label: 'nav.profile', permission: 'profiles.read', description: 'cards.profile' },
  { path: '/admin/audit', label: 'nav.audit', permission: 'audit.read', description: 'cards.audit' },
  { path: '/tasks', label: 'nav.tasks', permission: null, description: 'cards.tasks' },
];
