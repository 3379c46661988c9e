import { sql } from 'kysely';
import type { Queryable, Tx } from './schema.ts';

/**
 * A query that reads a whole country at once (a national report, a CSV of every actor), run in a
 * transaction of its own with two settings of its own:
 *
 * - `jit = off`: PostgreSQL compiles a query to machine code when its estimated cost is high, and a
 *   report joining a hundred thousand rows to several aggregates estimates high. On the bench
 *   (bench/README.md, "Chain of custody") the compilation took a second of a 1.3 s query; the
 *   query itself gains nothing from it on two cores.
 * - `work_mem = 64MB`: its sorts and hash aggregates of a hundred thousand rows stay in memory
 *   instead of spilling to disk; 64 MB for one running report is little beside the server's cache.
 *
 * `SET LOCAL` ends with the transaction, so the connection goes back to the pool as it came.
 * Inside a transaction already, the settings hold until that transaction ends.
 */
export async function reportQuery<T>(db: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const run = async (tx: Tx) => {
    await sql`SET LOCAL jit = off`.execute(tx);
    await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
    return fn(tx);
  };
  return db.isTransaction ? run(db as Tx) : db.transaction().execute(run);
}
