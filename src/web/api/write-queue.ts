import { api, NetworkError, type RequestOptions } from './client.ts';

/**
 * The shape offline capture will use (a later issue): a write that cannot reach the server is kept
 * with its Idempotency-Key and replayed later, so the server applies it exactly once. Records made
 * offline carry a client-made UUIDv7, which the server accepts. This first version keeps the queue
 * in memory for the life of the page; the offline issue moves it to IndexedDB.
 */
export interface QueuedWrite {
  id: string;
  path: string;
  options: RequestOptions & { idempotencyKey: string };
  queuedAt: string;
}

export interface WriteQueue {
  /** Sends now; if the network is down, queues and resolves with null. */
  submit<T>(path: string, options: RequestOptions & { idempotencyKey: string }): Promise<T | null>;
  pending(): QueuedWrite[];
  /** Replays queued writes in order; stops at the first that still cannot be sent. */
  flush(): Promise<number>;
}

export function memoryWriteQueue(): WriteQueue {
  const queue: QueuedWrite[] = [];
  return {
    async submit(path, options) {
      try {
        return (await api(path, options)).data as never;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        queue.push({ id: options.idempotencyKey, path, options, queuedAt: new Date().toISOString() });
        return null;
      }
    },
    pending: () => [...queue],
    async flush() {
      let sent = 0;
      while (queue.length > 0) {
        const next = queue[0]!;
        try {
          await api(next.path, next.options);
        } catch (err) {
          if (err instanceof NetworkError) break;
          // A refusal (validation, access) will not change on retry: drop it, it is reported.
        }
        queue.shift();
        sent++;
      }
      return sent;
    },
  };
}
