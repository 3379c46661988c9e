import { sql } from 'kysely';
import {
  isValidReference,
  normaliseReference,
  UUID_PATTERN,
  uuidv7,
  withCheckCharacter,
} from '../../../shared/ids.ts';
import type { Permission } from '../../../shared/permissions.ts';
import type {
  CreatePersonInput,
  DuplicateCandidate,
  PersonDto,
  PersonListQuery,
  PersonSensitiveDto,
  PutPersonSensitiveInput,
  UpdatePersonInput,
} from '../../../shared/schemas/people.ts';
import {
  assertCanRead,
  assertCanWrite,
  covers,
  requirePermission,
  scopePaths,
} from '../../platform/access/access.ts';
import type { AuditLog } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { Queryable, Tx } from '../../platform/db/schema.ts';
import { problems } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor, type Page } from '../../platform/http/pagination.ts';
import { pathOf } from '../admin-areas/repo.ts';
import * as repo from './repo.ts';

const PHONE = /^\+[1-9][0-9]{6,14}$/;

export function toPersonDto(p: repo.PersonRow): PersonDto {
  return {
    id: p.id,
    reference: p.reference,
    givenName: p.given_name,
    familyName: p.family_name,
    otherNames: p.other_names,
    sex: p.sex as PersonDto['sex'],
    birthDate: p.birth_date,
    birthYear: p.birth_year,
    ageBand: p.age_band as PersonDto['ageBand'],
    phone: p.phone,
    idDocument: p.id_document ? { type: p.id_document.type, number: p.id_document.number } : null,
    areaId: p.area_id,
    hasPhoto: p.photo_file !== null,
    createdBy: p.created_by,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
    version: p.version,
  };
}

const target = (id: string | null, areaId: string, areaPath: string) => ({
  entityType: 'person',
  entityId: id,
  areaId,
  areaPath,
});

/** The birth year a record gives, from the year or the full date. */
const yearOf = (p: { birthYear?: number | null | undefined; birthDate?: string | null | undefined }) =>
  p.birthYear ?? (p.birthDate ? Number(p.birthDate.slice(0, 4)) : null);

/** Without q the cursor is ['id', lastId]; with q it is [lastScore, lastId]. */
function personCursor(cursor: string | undefined, withQuery: boolean) {
  const decoded = decodeCursor(cursor, 2);
  if (decoded === null) return undefined;
  const [key, id] = decoded;
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) throw problems.invalidCursor();
  if (withQuery ? typeof key !== 'number' : key !== 'id') throw problems.invalidCursor();
  return { score: withQuery ? (key as number) : null, id };
}

/**
 * The filter of the people list (and of its CSV) as the repository reads it: q is a name, or
 * exactly a reference or a phone number; the caller's areas bound it.
 */
export async function personFilter(
  db: Queryable,
  actor: Actor,
  f: Pick<PersonListQuery, 'q' | 'areaId' | 'sex'>,
): Promise<Omit<repo.PersonFilter, 'after' | 'limit'>> {
  const reference = f.q ? normaliseReference(f.q) : null;
  const phone = f.q?.replace(/\s+/g, '');
  return {
    scopePaths: scopePaths(actor, 'registry.read'),
    q: f.q
      ? {
          text: f.q,
          reference: reference && isValidReference(reference) ? reference : null,
          phone: phone && PHONE.test(phone) ? phone : null,
        }
      : undefined,
    // An unknown area matches nothing rather than being an error.
    areaPath: f.areaId ? ((await pathOf(db, f.areaId)) ?? '/nowhere/') : undefined,
    sex: f.sex,
  };
}

export function createPeopleService({ audit, clock }: { audit: AuditLog; clock: Clock }) {
  async function areaOrFail(db: Queryable, areaId: string, field: string) {
    const area = await db
      .selectFrom('admin_areas')
      .select(['path', 'country'])
      .where('id', '=', areaId)
      .executeTakeFirst();
    if (!area)
      throw problems.validation([{ path: field, code: 'unknown_area', message: 'No such admin area.' }]);
    return area;
  }

  async function loadForWrite(tx: Tx, ctx: RequestContext, id: string, permission: Permission) {
    const p = await repo.findPerson(tx, id);
    if (!p) throw problems.notFound('Person');
    // Outside the caller's areas a write answers 403 (reads answer 404).
    assertCanWrite(ctx, permission, target(p.id, p.area_id, p.area_path));
    return p;
  }

  /** Likely duplicates, split into those the caller may see and a count of the others. */
  async function duplicatesOf(
    tx: Queryable,
    ctx: RequestContext,
    p: Parameters<typeof repo.findDuplicateCandidates>[1],
  ): Promise<{ visible: DuplicateCandidate[]; hidden: number }> {
    const rows = await repo.findDuplicateCandidates(tx, p);
    const scope = scopePaths(ctx.actor, 'registry.read');
    const visible: DuplicateCandidate[] = [];
    let hidden = 0;
    for (const r of rows) {
      if (!covers(scope, r.area_path)) {
        hidden++;
        continue;
      }
      visible.push({
        id: r.id,
        reference: r.reference,
        givenName: r.given_name,
        familyName: r.family_name,
        areaId: r.area_id,
        birthYear: r.birth_year,
        reasons: [
          ...(r.same_phone ? (['same_phone'] as const) : []),
          ...(r.similar_name ? (['similar_name_same_birth_year_and_area'] as const) : []),
        ],
      });
    }
    return { visible, hidden };
  }

  return {
    async list(db: Queryable, ctx: RequestContext, query: PersonListQuery): Promise<Page<PersonDto>> {
      const actor = requirePermission(ctx, 'registry.read');
      const after = personCursor(query.cursor, query.q !== undefined);
      const rows = await repo.listPeople(db, {
        ...(await personFilter(db, actor, query)),
        after,
        limit: query.limit,
      });
      const more = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toPersonDto),
        nextCursor:
          more && last ? encodeCursor([query.q !== undefined ? Number(last.score) : 'id', last.id]) : null,
      };
    },

    async get(db: Queryable, ctx: RequestContext, id: string): Promise<PersonDto> {
      requirePermission(ctx, 'registry.read');
      const p = await repo.findPerson(db, id);
      if (!p) throw problems.notFound('Person');
      assertCanRead(ctx, 'registry.read', target(p.id, p.area_id, p.area_path));
      return toPersonDto(p);
    },

    /**
     * Registers a person. A client-supplied id sent again (a record made offline) changes nothing.
     * Unless checkDuplicates is false, likely duplicates answer 409 person.possible_duplicate with
     * the candidates the caller may see, and nothing is written.
     */
    async create(
      tx: Tx,
      ctx: RequestContext,
      input: CreatePersonInput,
    ): Promise<{ person: PersonDto; created: boolean }> {
      const area = await areaOrFail(tx, input.areaId, 'body.areaId');
      assertCanWrite(ctx, 'registry.write', target(input.id ?? null, input.areaId, area.path));
      if (input.id) {
        const existing = await repo.findPerson(tx, input.id);
        if (existing) {
          if (
            existing.given_name === input.givenName &&
            existing.family_name === input.familyName &&
            existing.area_id === input.areaId
          ) {
            return { person: toPersonDto(existing), created: false };
          }
          throw problems.conflict('resource.id_conflict', 'Another record already has this id.');
        }
      }
      const duplicates = await duplicatesOf(tx, ctx, {
        fullName: `${input.givenName} ${input.familyName}`,
        birthYear: yearOf(input),
        areaId: input.areaId,
        phone: input.phone ?? null,
      });
      const anyDuplicate = duplicates.visible.length + duplicates.hidden > 0;
      if (input.checkDuplicates && anyDuplicate) {
        throw problems.conflict(
          'person.possible_duplicate',
          'This person may already be registered. Check the candidates, or send again with checkDuplicates: false.',
          { candidates: duplicates.visible, otherMatches: duplicates.hidden },
        );
      }
      const id = input.id ?? uuidv7();
      const now = clock.now();
      const year = now.getUTCFullYear();
      const serial = await repo.nextReferenceSerial(tx, area.country, year);
      const reference = withCheckCharacter(`${area.country}-P-${year}-${String(serial).padStart(6, '0')}`);
      const row = await repo
        .peopleDb(tx)
        .insertInto('people')
        .values({
          id,
          reference,
          given_name: input.givenName,
          family_name: input.familyName,
          other_names: input.otherNames ?? null,
          sex: input.sex,
          birth_date: input.birthDate ?? null,
          birth_year: input.birthYear ?? null,
          age_band: input.ageBand ?? null,
          phone: input.phone ?? null,
          id_document: input.idDocument ? JSON.stringify(input.idDocument) : null,
          area_id: input.areaId,
          created_by: ctx.actor?.kind === 'system' ? null : (ctx.actor?.id ?? null),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const person = toPersonDto(row);
      await audit.record(tx, ctx, {
        action: 'person.created',
        entityType: 'person',
        entityId: id,
        areaId: input.areaId,
        after: person,
        meta: anyDuplicate
          ? { duplicatesOverridden: duplicates.visible.map((d) => d.id), otherMatches: duplicates.hidden }
          : undefined,
      });
      return { person, created: true };
    },

    async update(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: UpdatePersonInput,
      checkVersion: (v: number) => void,
    ): Promise<PersonDto> {
      const p = await loadForWrite(tx, ctx, id, 'registry.write');
      checkVersion(p.version);
      if (input.areaId && input.areaId !== p.area_id) {
        const area = await areaOrFail(tx, input.areaId, 'body.areaId');
        assertCanWrite(ctx, 'registry.write', target(id, input.areaId, area.path));
      }
      const birthDate = input.birthDate !== undefined ? input.birthDate : p.birth_date;
      const birthYear = input.birthYear !== undefined ? input.birthYear : p.birth_year;
      if (birthDate && birthYear !== null && Number(birthDate.slice(0, 4)) !== birthYear) {
        throw problems.validation([
          { path: 'body.birthYear', code: 'birth_year_mismatch', message: 'must be the year of birthDate' },
        ]);
      }
      const before = toPersonDto(p);
      const set = {
        ...(input.givenName !== undefined ? { given_name: input.givenName } : {}),
        ...(input.familyName !== undefined ? { family_name: input.familyName } : {}),
        ...(input.otherNames !== undefined ? { other_names: input.otherNames } : {}),
        ...(input.sex !== undefined ? { sex: input.sex } : {}),
        ...(input.birthDate !== undefined ? { birth_date: input.birthDate } : {}),
        ...(input.birthYear !== undefined ? { birth_year: input.birthYear } : {}),
        ...(input.ageBand !== undefined ? { age_band: input.ageBand } : {}),
        ...(input.phone !== undefined ? { phone: input.phone } : {}),
        ...(input.idDocument !== undefined
          ? { id_document: input.idDocument ? JSON.stringify(input.idDocument) : null }
          : {}),
        ...(input.areaId !== undefined ? { area_id: input.areaId } : {}),
      };
      const row = await repo
        .peopleDb(tx)
        .updateTable('people')
        .set({ ...set, updated_at: clock.now(), version: sql<number>`version + 1` })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const after = toPersonDto(row);
      await audit.record(tx, ctx, {
        action: 'person.updated',
        entityType: 'person',
        entityId: id,
        areaId: after.areaId,
        before,
        after,
      });
      return after;
    },

    /** The vulnerable-group attributes; every read is itself recorded in the audit trail. */
    async getSensitive(tx: Tx, ctx: RequestContext, id: string): Promise<PersonSensitiveDto> {
      requirePermission(ctx, 'registry.sensitive.read');
      const p = await repo.findPerson(tx, id);
      if (!p) throw problems.notFound('Person');
      assertCanRead(ctx, 'registry.sensitive.read', target(p.id, p.area_id, p.area_path));
      const s = await repo.findSensitive(tx, id);
      await audit.record(tx, ctx, {
        action: 'person.sensitive_read',
        entityType: 'person',
        entityId: id,
        areaId: p.area_id,
        meta: { recorded: Boolean(s) },
      });
      return {
        personId: id,
        disability: s?.disability ?? null,
        migrant: s?.migrant ?? null,
        ethnicMinority: s?.ethnic_minority ?? null,
        legalBasis: (s?.legal_basis as PersonSensitiveDto['legalBasis']) ?? null,
        recordedBy: s?.recorded_by ?? null,
        recordedAt: s ? s.recorded_at.toISOString() : null,
      };
    },

    /**
     * Records the vulnerable-group attributes with their legal basis. The caller needs
     * registry.write and registry.sensitive.read in the person's area. The audit trail says that
     * they were recorded and on what basis, never what they are.
     */
    async putSensitive(
      tx: Tx,
      ctx: RequestContext,
      id: string,
      input: PutPersonSensitiveInput,
    ): Promise<PersonSensitiveDto> {
      const p = await loadForWrite(tx, ctx, id, 'registry.write');
      assertCanWrite(ctx, 'registry.sensitive.read', target(p.id, p.area_id, p.area_path));
      const previous = await repo.findSensitive(tx, id);
      const changed =
        !previous ||
        previous.disability !== input.disability ||
        previous.migrant !== input.migrant ||
        previous.ethnic_minority !== input.ethnicMinority ||
        previous.legal_basis !== input.legalBasis;
      const recordedBy = ctx.actor?.kind === 'system' ? null : (ctx.actor?.id ?? null);
      const now = clock.now();
      const values = {
        disability: input.disability,
        migrant: input.migrant,
        ethnic_minority: input.ethnicMinority,
        legal_basis: input.legalBasis,
        recorded_by: recordedBy,
        recorded_at: now,
      };
      if (changed) {
        await repo
          .peopleDb(tx)
          .insertInto('person_sensitive')
          .values({ person_id: id, ...values })
          .onConflict((oc) => oc.column('person_id').doUpdateSet(values))
          .execute();
        await audit.record(tx, ctx, {
          action: 'person.sensitive_recorded',
          entityType: 'person',
          entityId: id,
          areaId: p.area_id,
          meta: { legalBasis: input.legalBasis, first: !previous },
        });
      }
      const s = (await repo.findSensitive(tx, id))!;
      return {
        personId: id,
        disability: s.disability,
        migrant: s.migrant,
        ethnicMinority: s.ethnic_minority,
        legalBasis: s.legal_basis as PersonSensitiveDto['legalBasis'],
        recordedBy: s.recorded_by,
        recordedAt: s.recorded_at.toISOString(),
      };
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
