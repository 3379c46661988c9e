import type { PGlite } from '@electric-sql/pglite';

/**
 * PGlite is one PostgreSQL backend in this process: it has a single session. This adapter gives it
 * the shape of a `pg` pool (connect → client → release) so that Kysely's PostgresDialect and
 * pg-boss drive it unchanged. A client holds the session exclusively until released, which is what
 * makes a transaction (BEGIN … COMMIT over several queries) safe: other callers queue behind it.
 */
export interface PoolQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string;
}

export interface PoolClientLike {
  query(sql: string, params?: readonly unknown[]): Promise<PoolQueryResult>;
  release(err?: unknown): void;
}

export interface PoolLike {
  connect(): Promise<PoolClientLike>;
  end(): Promise<void>;
}

const COMMAND = /^\s*(?:--[^\n]*\n\s*)*(\w+)/;

export class PgliteSessionPool implements PoolLike {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private ended = false;

  constructor(
    private readonly pglite: PGlite,
    /** Statements run each time a client is handed out (e.g. SET ROLE). */
    private readonly onAcquire: string | null = null,
  ) {}

  get queueLength(): number {
    return this.waiting;
  }

  async connect(): Promise<PoolClientLike> {
    if (this.ended) throw new Error('pool has ended');
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => turn);
    this.waiting++;
    await previous;
    this.waiting--;
    const db = this.pglite;
    let released = false;
    if (this.onAcquire) await db.exec(this.onAcquire);
    return {
      async query(sql, params) {
        if (released) throw new Error('client used after release');
        if (params && params.length > 0) {
          const r = await db.query<Record<string, unknown>>(sql, params as unknown[]);
          return toResult(sql, r.rows, r.affectedRows);
        }
        // Without parameters a text may hold several statements (pg-boss and migrations send such):
        // the simple protocol runs them all, and the last statement's result is the answer.
        const results = await db.exec(sql);
        const last = results[results.length - 1];
        return toResult(sql, (last?.rows ?? []) as Record<string, unknown>[], last?.affectedRows);
      },
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  async end(): Promise<void> {
    this.ended = true;
    await this.tail;
  }
}

function toResult(
  sql: string,
  rows: Record<string, unknown>[],
  affected: number | undefined,
): PoolQueryResult {
  const command = (COMMAND.exec(sql)?.[1] ?? 'SELECT').toUpperCase();
  const rowCount = command === 'SELECT' || command === 'WITH' ? rows.length : (affected ?? rows.length);
  return { rows, rowCount, command };
}
