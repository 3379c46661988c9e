import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import SignInPage from '../features/auth/sign-in.tsx';
import { Shell } from './shell.tsx';

// Every screen but sign-in is its own chunk, loaded when first opened (bundle budget, CI). Sign-in
// is in the entry: on a slow line each extra round trip before the first screen costs a second.
const HomePage = lazy(() => import('../features/home/home.tsx'));
const UsersPage = lazy(() => import('../features/admin/users/users-page.tsx'));
const UserCreatePage = lazy(() => import('../features/admin/users/user-create-page.tsx'));
const UserDetailPage = lazy(() => import('../features/admin/users/user-detail-page.tsx'));
const AreasPage = lazy(() => import('../features/admin/areas/areas-page.tsx'));
const ProfilePage = lazy(() => import('../features/admin/profile/profile-page.tsx'));
const AuditPage = lazy(() => import('../features/admin/audit/audit-page.tsx'));
const TasksPage = lazy(() => import('../features/tasks/tasks-page.tsx'));
const NotFoundPage = lazy(() => import('../features/home/not-found.tsx'));
// Registry (issue 4): people, enterprises, production units.
const PeoplePage = lazy(() => import('../features/registry/people-page.tsx'));
const PersonCreatePage = lazy(() => import('../features/registry/person-create-page.tsx'));
const PersonDetailPage = lazy(() => import('../features/registry/person-detail-page.tsx'));
const EnterprisesPage = lazy(() => import('../features/registry/enterprises-page.tsx'));
const EnterpriseCreatePage = lazy(() => import('../features/registry/enterprise-create-page.tsx'));
const EnterpriseDetailPage = lazy(() => import('../features/registry/enterprise-detail-page.tsx'));
const UnitCreatePage = lazy(() =>
  import('../features/registry/production-unit-pages.tsx').then((m) => ({
    default: m.ProductionUnitCreatePage,
  })),
);
const UnitDetailPage = lazy(() =>
  import('../features/registry/production-unit-pages.tsx').then((m) => ({
    default: m.ProductionUnitDetailPage,
  })),
);
const UnitsPage = lazy(() =>
  import('../features/registry/production-unit-pages.tsx').then((m) => ({
    default: m.ProductionUnitsPage,
  })),
);
const UnitEditPage = lazy(() =>
  import('../features/registry/production-unit-pages.tsx').then((m) => ({
    default: m.ProductionUnitEditPage,
  })),
);
const EnterpriseEditPage = lazy(() => import('../features/registry/enterprise-edit-page.tsx'));
// Licensing (issue 4): applications, the office queue, decisions, licences and their cards.
const LicensingQueuePage = lazy(() => import('../features/licensing/queue-page.tsx'));
const ApplicationNewPage = lazy(() => import('../features/licensing/application-new-page.tsx'));
const ApplicationPage = lazy(() => import('../features/licensing/application-page.tsx'));
const LicencesPage = lazy(() => import('../features/licensing/licences-page.tsx'));
const LicencePage = lazy(() => import('../features/licensing/licence-page.tsx'));
// Production logbooks (issue 6): a period's figures, opened from the paper logbook's QR code.
const LogbookEntryPage = lazy(() => import('../features/logbooks/logbook-entry-page.tsx'));
const MissingLogbooksPage = lazy(() => import('../features/logbooks/missing-page.tsx'));
// Cadastre (issue 5): mining activity to reach, for outreach and formalisation.
const HotspotsPage = lazy(() => import('../features/cadastre/hotspots-page.tsx'));
const CadastreLayersPage = lazy(() => import('../features/cadastre/layers-page.tsx'));
// Chain of custody (issue 6): actors, lots, the events that move them and their trace.
const CustodyLotsPage = lazy(() => import('../features/custody/lots-page.tsx'));
const CustodyLotPage = lazy(() => import('../features/custody/lot-page.tsx'));
const CustodyProductionPage = lazy(() => import('../features/custody/production-page.tsx'));
const CustodyActorsPage = lazy(() => import('../features/custody/actors-page.tsx'));
// Due diligence (issue 6): risk flags, the incident register, mass balances.
const CustodyFlagsPage = lazy(() => import('../features/custody/flags-page.tsx'));
const CustodyFlagPage = lazy(() => import('../features/custody/flag-page.tsx'));
const CustodyIncidentsPage = lazy(() => import('../features/custody/incidents-page.tsx'));
const CustodyIncidentPage = lazy(() => import('../features/custody/incident-page.tsx'));
const MassBalancePage = lazy(() => import('../features/custody/mass-balance-page.tsx'));
const ReferencePricesPage = lazy(() => import('../features/custody/reference-prices-page.tsx'));
// Improvement standard (issue 6): assessments, levels, progress and improvement plans.
const ImprovementPage = lazy(() => import('../features/improvement/improvement-page.tsx'));
const ImprovementSubjectPage = lazy(() => import('../features/improvement/subject-page.tsx'));
// Public: opened from a licence card's QR code, no sign-in.
const VerifyPage = lazy(() => import('../features/verify/verify-page.tsx'));
// Public: the register of active licences, no sign-in.
const RegisterPage = lazy(() => import('../features/public-register/register-page.tsx'));

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/verify/*', element: <VerifyPage /> },
  { path: '/register', element: <RegisterPage /> },
  {
    path: '/',
    element: <Shell />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'admin/users', element: <UsersPage /> },
      { path: 'admin/users/new', element: <UserCreatePage /> },
      { path: 'admin/users/:id', element: <UserDetailPage /> },
      { path: 'admin/areas', element: <AreasPage /> },
      { path: 'admin/profile', element: <ProfilePage /> },
      { path: 'admin/audit', element: <AuditPage /> },
      { path: 'registry/people', element: <PeoplePage /> },
      { path: 'registry/people/new', element: <PersonCreatePage /> },
      { path: 'registry/people/:id', element: <PersonDetailPage /> },
      { path: 'registry/enterprises', element: <EnterprisesPage /> },
      { path: 'registry/enterprises/new', element: <EnterpriseCreatePage /> },
      { path: 'registry/enterprises/:id', element: <EnterpriseDetailPage /> },
      { path: 'registry/enterprises/:id/edit', element: <EnterpriseEditPage /> },
      { path: 'registry/production-units', element: <UnitsPage /> },
      { path: 'registry/production-units/new', element: <UnitCreatePage /> },
      { path: 'registry/production-units/:id', element: <UnitDetailPage /> },
      { path: 'registry/production-units/:id/edit', element: <UnitEditPage /> },
      { path: 'licensing/queue', element: <LicensingQueuePage /> },
      { path: 'licensing/applications/new', element: <ApplicationNewPage /> },
      { path: 'licensing/applications/:id', element: <ApplicationPage /> },
      { path: 'licensing/licences', element: <LicencesPage /> },
      { path: 'licensing/licences/:id', element: <LicencePage /> },
      { path: 'licensing/licences/:id/logbook', element: <LogbookEntryPage /> },
      { path: 'logbooks/missing', element: <MissingLogbooksPage /> },
      { path: 'cadastre/hotspots', element: <HotspotsPage /> },
      { path: 'cadastre/layers', element: <CadastreLayersPage /> },
      { path: 'custody/lots', element: <CustodyLotsPage /> },
      { path: 'custody/lots/new', element: <CustodyProductionPage /> },
      { path: 'custody/lots/:id', element: <CustodyLotPage /> },
      { path: 'custody/actors', element: <CustodyActorsPage /> },
      { path: 'custody/flags', element: <CustodyFlagsPage /> },
      { path: 'custody/flags/:id', element: <CustodyFlagPage /> },
      { path: 'custody/incidents', element: <CustodyIncidentsPage /> },
      { path: 'custody/incidents/:id', element: <CustodyIncidentPage /> },
      { path: 'custody/mass-balance', element: <MassBalancePage /> },
      { path: 'custody/reference-prices', element: <ReferencePricesPage /> },
      { path: 'improvement', element: <ImprovementPage /> },
      { path: 'improvement/:kind/:id', element: <ImprovementSubjectPage /> },
      { path: 'tasks', element: <TasksPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
