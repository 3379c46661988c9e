import { useQuery } from '@tanstack/react-query';
import type { ClientConfigDto } from '../../shared/schemas/client-config.ts';
import { get } from './client.ts';

/**
 * The installation's settings (GET /client-config), asked once an hour at most and shared by every
 * screen: one query key, one shape. Pending or failed, screens fall back to their own defaults.
 */
export function useClientConfig() {
  return useQuery({
    queryKey: ['client-config'],
    queryFn: ({ signal }) => get<ClientConfigDto>('/client-config', signal),
    staleTime: 3_600_000,
    retry: false,
  });
}
