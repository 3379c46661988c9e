import type { LicenceQueueItemDto } from '../../../shared/schemas/licence-lifecycle.ts';
import { get, query } from '../../api/client.ts';

/**
 * The office queue from the server (GET /licence-queue): applications submitted or under review in
 * the caller's areas, oldest submission first, each with the whole days it has waited, its tier's
 * service standard and whether it is overdue. An office's queue is short: every page is read.
 */
export interface Queue {
  items: LicenceQueueItemDto[];
  counts: { total: number; overdue: number };
}

export async function fetchQueue(signal: AbortSignal): Promise<Queue> {
  const items: LicenceQueueItemDto[] = [];
  let counts = { total: 0, overdue: 0 };
  let cursor: string | undefined;
  do {
    const page = await get<Queue & { nextCursor: string | null }>(
      `/licence-queue${query({ limit: 500, cursor })}`,
      signal,
    );
    items.push(...page.items);
    counts = page.counts;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { items, counts };
}
