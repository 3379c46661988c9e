import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { ApiError, api, get } from '../api/client.ts';

export interface Grant {
  assignmentId: string | null;
  roleCode: string;
  areaId: string;
  areaPath: string;
  permissions: string[];
}

export interface Me {
  kind: 'user' | 'token' | 'system';
  id: string;
  name: string | null;
  phone: string | null;
  preferredLanguage: string | null;
  areaId: string | null;
  grants: Grant[];
}

interface SessionValue {
  me: Me | null;
  loading: boolean;
  /** The assignment the user works under now; the navigation shows what its role may use. */
  active: Grant | null;
  setActive(index: number): void;
  can(permission: string): boolean;
  signIn(phone: string, password: string): Promise<Me>;
  signOut(): Promise<void>;
  /** True after the user signed out in this tab: sign-in then says so, rather than "session ended". */
  signedOut: boolean;
}

const SessionContext = createContext<SessionValue | null>(null);
const ACTIVE_KEY = 'openasm.activeAssignment';

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const meQuery = useQuery({
    queryKey: ['me'],
    queryFn: async ({ signal }) => {
      try {
        return await get<Me>('/me', signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  const me = meQuery.data ?? null;
  const [activeIndex, setActiveIndex] = useState(() => Number(localStorage.getItem(ACTIVE_KEY) ?? 0));
  const active = me && me.grants.length > 0 ? (me.grants[activeIndex] ?? me.grants[0]!) : null;

  const setActive = useCallback((index: number) => {
    setActiveIndex(index);
    localStorage.setItem(ACTIVE_KEY, String(index));
  }, []);

  const signIn = useCallback(
    async (phone: string, password: string) => {
      const { data } = await api<{ me: Me }>('/auth/login', { method: 'POST', body: { phone, password } });
      // Keep the 'me' query (the provider observes it); drop everything cached for someone else.
      queryClient.setQueryData(['me'], data.me);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      setSignedOut(false);
      setActive(0);
      return data.me;
    },
    [queryClient, setActive],
  );

  const [signedOut, setSignedOut] = useState(false);

  const signOut = useCallback(async () => {
    setSignedOut(true);
    try {
      await api('/auth/logout', { method: 'POST' });
    } catch {
      // Signing out of a session that already ended is still signing out.
    }
    queryClient.setQueryData(['me'], null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
  }, [queryClient]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      loading: meQuery.isPending,
      active,
      setActive,
      can: (permission) => Boolean(active?.permissions.includes(permission)),
      signIn,
      signOut,
      signedOut,
    }),
    [me, meQuery.isPending, active, setActive, signIn, signOut, signedOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
