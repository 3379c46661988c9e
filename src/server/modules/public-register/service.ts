import { sql } from 'kysely';
import type { PublicLicenceDto, PublicLicenceQuery } from '../../../shared/schemas/public-register.ts';
import { localDateSql } from '../../platform/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Queryable } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, type Page, toPage } from '../../platform/http/pagination.ts';
import { holderDisplay } from '../licence-cards/routes.ts';

interface RegisterRow {
  number: string;
  tier_code: string;
  valid_from: string;
  valid_to: string;
  area_name: string;
  area_code: string;
  country: string;
  given_name: string | null;
  family_name: string | null;
  enterprise_name: string | null;
  unit_name: string | null;
}

export type RegisterFilter = Omit<PublicLicenceQuery, 'limit' | 'cursor'>;

/** Rows per page when the whole register streams as CSV. */
export const CSV_PAGE = 2_000;

/**
 * The public register: licences that are active and within their validity today, with what their
 * card shows and nothing more (no holder ids, no contact details, no person's given name).
 * Ordered by licence number, which is unique: the keyset of every page.
 */
export function createPublicRegisterService({ clock }: { clock: Clock }) {
  type TierNames = Map<string, Record<string, Record<string, string>>>;

  /** Tier names of a country's profile, read once per request (the cache lives as long as the request). */
  async function namesOf(
    db: Queryable,
    tierNames: TierNames,
    country: string,
  ): Promise<Record<string, Record<string, string>>> {
    const cached = tierNames.get(country);
    if (cached) return cached;
    const r = await sql<{ document: { licenceTiers?: { code: string; names: Record<string, string> }[] } }>`
      SELECT document FROM country_profiles WHERE country = ${country}`.execute(db);
    const names = Object.fromEntries((r.rows[0]?.document.licenceTiers ?? []).map((t) => [t.code, t.names]));
    tierNames.set(country, names);
    return names;
  }

  /** The ids of the area of the code and of every area inside it. */
  async function subtree(db: Queryable, code: string | undefined): Promise<string[] | undefined> {
    if (!code) return undefined;
    // Codes hold capitals, digits and hyphens only (admin_areas.code), so a path is a safe LIKE prefix.
    const r = await sql<{ id: string }>`
      SELECT d.id FROM admin_areas a JOIN admin_areas d ON d.path LIKE a.path || '%'
       WHERE a.code = ${code.toUpperCase()}`.execute(db);
    if (r.rows.length === 0) {
      throw problems.validation([
        { path: 'query.area', code: 'unknown_area', message: 'No area has this code.' },
      ]);
    }
    return r.rows.map((x) => x.id);
  }

  async function rows(
    db: Queryable,
    f: RegisterFilter & { areaIds: string[] | undefined },
    after: string | undefined,
    limit: number,
  ): Promise<RegisterRow[]> {
    // Today in each row's country (its profile's time zone).
    const today = localDateSql(clock.now(), sql`cp.document ->> 'timeZone'`);
    const like = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
    const { rows } = await sql<RegisterRow>`
      SELECT l.number, l.tier_code, l.valid_from::text AS valid_from, l.valid_to::text AS valid_to,
             a.name AS area_name, a.code AS area_code, a.country,
             p.given_name, p.family_name, e.name AS enterprise_name, u.name AS unit_name
        FROM licences l
        JOIN admin_areas a ON a.id = l.area_id
        LEFT JOIN country_profiles cp ON cp.country = a.country
        LEFT JOIN people p ON l.holder_kind = 'person' AND p.id = l.holder_id
        LEFT JOIN enterprises e ON l.holder_kind = 'enterprise' AND e.id = l.holder_id
        LEFT JOIN production_units u ON l.holder_kind = 'production_unit' AND u.id = l.holder_id
       WHERE l.status = 'active' AND l.valid_from <= ${today} AND l.valid_to >= ${today}
         ${f.country ? sql`AND a.country = ${f.country.toUpperCase()}` : sql``}
         ${f.areaIds ? sql`AND l.area_id = ANY(${f.areaIds}::uuid[])` : sql``}
         ${f.tier ? sql`AND l.tier_code = ${f.tier}` : sql``}
         ${
           // The lower bound lets the scan start at the prefix in number order (index (status, number)).
           f.number
             ? sql`AND l.number LIKE ${like(f.number.toUpperCase())} AND l.number >= ${f.number.toUpperCase()}`
             : sql``
         }
         ${after !== undefined ? sql`AND l.number > ${after}` : sql``}
       ORDER BY l.number
       LIMIT ${limit}`.execute(db);
    return rows;
  }

  async function toDto(db: Queryable, names: TierNames, r: RegisterRow): Promise<PublicLicenceDto> {
    return {
      number: r.number,
      tierCode: r.tier_code,
      tierNames: (await namesOf(db, names, r.country))[r.tier_code] ?? {},
      holderDisplay: holderDisplay(r),
      areaName: r.area_name,
      areaCode: r.area_code,
      country: r.country,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    };
  }

  function afterOf(cursor: string | undefined): string | undefined {
    const key = decodeCursor(cursor, 1);
    if (key === null) return undefined;
    if (typeof key[0] !== 'string') throw problems.invalidCursor();
    return key[0];
  }

  return {
    async list(db: Queryable, q: PublicLicenceQuery): Promise<Page<PublicLicenceDto>> {
      const areaIds = await subtree(db, q.area);
      const found = await rows(db, { ...q, areaIds }, afterOf(q.cursor), q.limit + 1);
      const page = toPage(
        found,
        q.limit,
        (r) => r,
        (r) => [r.number],
      );
      const names: TierNames = new Map();
      const items: PublicLicenceDto[] = [];
      for (const r of page.items) items.push(await toDto(db, names, r));
      return { items, nextCursor: page.nextCursor };
    },

    /** Every licence of the filter, a page at a time, so memory stays flat however long the register. */
    async *pages(db: Queryable, f: RegisterFilter): AsyncGenerator<PublicLicenceDto[]> {
      const areaIds = await subtree(db, f.area);
      const names: TierNames = new Map();
      let after: string | undefined;
      for (;;) {
        const page = await rows(db, { ...f, areaIds }, after, CSV_PAGE);
        const items: PublicLicenceDto[] = [];
        for (const r of page) items.push(await toDto(db, names, r));
        yield items;
        if (page.length < CSV_PAGE) return;
        after = page[page.length - 1]!.number;
      }
    },
  };
}
