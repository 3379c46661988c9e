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
// Public: opened from a licence card's QR code, no sign-in.
const VerifyPage = lazy(() => import('../features/verify/verify-page.tsx'));

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/verify/*', element: <VerifyPage /> },
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
      { path: 'tasks', element: <TasksPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
