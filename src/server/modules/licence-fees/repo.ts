import { type ColumnType, type Kysely, type Selectable, sql } from 'kysely';
import type { DB, Queryable } from '../../platform/db/schema.ts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Method = 'cash' | 'mobile_money' | 'bank';

/** The table of migration 0011 for fee payments. */
export interface LicenceFeePaymentsTable {
  id: string;
  receipt_number: string;
  application_id: string;
  amount_minor: ColumnType<string | number, number, never>;
  currency: string;
  method: Method;
  reference: string;
  payer_name: string | null;
  paid_at: Timestamp;
  balance_after_minor: ColumnType<string | number, number, never>;
  recorded_by: string | null;
  recorded_at: Timestamp;
}

export type FeeTables = { licence_fee_payments: LicenceFeePaymentsTable };
export type PaymentRow = Selectable<LicenceFeePaymentsTable>;

export function feesDb(db: Queryable): Kysely<DB & FeeTables> {
  return (db as Kysely<DB>).withTables<FeeTables>();
}

export async function nextReceiptNumber(db: Queryable): Promise<number> {
  const r = await sql<{ n: string }>`SELECT nextval('licence_receipt_seq') AS n`.execute(db);
  return Number(r.rows[0]!.n);
}

/** Holds the application row until the transaction ends: payments to one application go one at a time. */
export async function lockApplication(db: Queryable, id: string): Promise<void> {
  await sql`SELECT id FROM licence_applications WHERE id = ${id} FOR UPDATE`.execute(db);
}

export function paymentsOf(db: Queryable, applicationId: string): Promise<PaymentRow[]> {
  return feesDb(db)
    .selectFrom('licence_fee_payments')
    .selectAll()
    .where('application_id', '=', applicationId)
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
}

export async function paidMinor(db: Queryable, applicationId: string): Promise<number> {
  const r = await sql<{ paid: string | null }>`
    SELECT sum(amount_minor) AS paid FROM licence_fee_payments WHERE application_id = ${applicationId}`.execute(
    db,
  );
  return Number(r.rows[0]?.paid ?? 0);
}

export function paymentByReference(db: Queryable, method: Method, reference: string) {
  return feesDb(db)
    .selectFrom('licence_fee_payments')
    .select(['id', 'receipt_number', 'application_id'])
    .where('method', '=', method)
    .where('reference', '=', reference)
    .executeTakeFirst();
}

export interface ReceiptContext {
  office: string;
  country: string;
  officer: string | null;
  tier_code: string;
  application_reference: string;
  given_name: string | null;
  family_name: string | null;
  enterprise_name: string | null;
  unit_name: string | null;
}

/** What a receipt prints beside the payment: the office, the officer, the holder and the application. */
export async function receiptContext(
  db: Queryable,
  applicationId: string,
  recordedBy: string | null,
): Promise<ReceiptContext | undefined> {
  const r = await sql<ReceiptContext>`
    SELECT ar.name AS office, ar.country, u.name AS officer, la.tier_code, la.reference AS application_reference,
           p.given_name, p.family_name, e.name AS enterprise_name, pu.name AS unit_name
      FROM licence_applications la
      JOIN admin_areas ar ON ar.id = la.area_id
      LEFT JOIN users u ON u.id = ${recordedBy}::uuid
      LEFT JOIN people p ON la.holder_kind = 'person' AND p.id = la.holder_id
      LEFT JOIN enterprises e ON la.holder_kind = 'enterprise' AND e.id = la.holder_id
      LEFT JOIN production_units pu ON la.holder_kind = 'production_unit' AND pu.id = la.holder_id
     WHERE la.id = ${applicationId}`.execute(db);
  return r.rows[0];
}
