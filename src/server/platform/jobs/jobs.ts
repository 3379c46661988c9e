/** Background work port; the pg-boss adapter lives in pgboss.ts. */
export interface Jobs {
  send(
    queue: string,
    data: object,
    options?: { singletonKey?: string; startAfter?: Date },
  ): Promise<string | null>;
  work(queue: string, handler: (data: unknown) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}
