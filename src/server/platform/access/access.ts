import type { Permission } from '../../../shared/permissions.ts';
import type { Actor, RequestContext } from '../context.ts';
import { AppError, problems } from '../errors.ts';

/**
 * The one place that decides who may do what, where. A grant covers the subtree of its area;
 * a record is inside the caller's jurisdiction when its area's path starts with the path of an area
 * where the caller holds the permission.
 *
 * Reads of a record outside the jurisdiction answer 404 (the record's existence is not revealed);
 * writes answer 403. Both are audited as denied access by the HTTP layer.
 */
export class AccessDenied extends AppError {
  constructor(
    base: AppError,
    public readonly permission: string,
    public readonly target: { entityType: string; entityId: string | null; areaId: string | null } | null,
  ) {
    super(base.status, base.code, base.message, base.extra);
    this.name = 'AccessDenied';
  }
}

/** Record types an access target names in words whose audit code is not simply the words in snake case. */
const AUDIT_CODES: Readonly<Record<string, string>> = {
  Area: 'admin_area',
  Flag: 'custody_flag',
  Incident: 'custody_incident',
  Transfer: 'custody_event',
};

/**
 * The code the audit trail uses for a record type (`production_unit`, `lot`). Access targets may name
 * the type in words ("Production unit"), which the 404 answer shows; the trail keeps codes only, so
 * that one filter finds every event about a kind of record, denials included.
 */
export function auditEntityType(entityType: string): string {
  return (
    AUDIT_CODES[entityType] ??
    entityType
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
  );
}

export function requireActor(ctx: RequestContext): Actor {
  if (!ctx.actor) throw problems.unauthenticated();
  return ctx.actor;
}

export function hasPermission(actor: Actor | null, permission: Permission): boolean {
  if (!actor) return false;
  if (actor.kind === 'system') return true;
  return actor.grants.some((g) => g.permissions.has(permission));
}

/** The area paths where the actor holds the permission; ['/'] for the system actor (everything). */
export function scopePaths(actor: Actor | null, permission: Permission): string[] {
  if (!actor) return [];
  if (actor.kind === 'system') return ['/'];
  const paths = actor.grants.filter((g) => g.permissions.has(permission)).map((g) => g.areaPath);
  // Drop paths already covered by a shorter one, so queries carry the fewest prefixes.
  return paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q)));
}

export function covers(paths: readonly string[], areaPath: string): boolean {
  return paths.some((p) => areaPath.startsWith(p));
}

/** Throws 403 unless the caller holds the permission somewhere (for collection endpoints). */
export function requirePermission(ctx: RequestContext, permission: Permission): Actor {
  const actor = requireActor(ctx);
  if (!hasPermission(actor, permission)) throw new AccessDenied(problems.forbidden(), permission, null);
  return actor;
}

interface Target {
  entityType: string;
  entityId: string | null;
  areaId: string | null;
  areaPath: string;
}

/** For reading one record: 404 when outside the jurisdiction, 403 when the role lacks the permission. */
export function assertCanRead(ctx: RequestContext, permission: Permission, target: Target): void {
  const actor = requirePermission(ctx, permission);
  if (!covers(scopePaths(actor, permission), target.areaPath)) {
    throw new AccessDenied(problems.notFound(target.entityType), permission, target);
  }
}

/** For changing one record (or creating one in an area): 403 when outside the jurisdiction. */
export function assertCanWrite(ctx: RequestContext, permission: Permission, target: Target): void {
  const actor = requirePermission(ctx, permission);
  if (!covers(scopePaths(actor, permission), target.areaPath)) {
    throw new AccessDenied(problems.outsideJurisdiction(), permission, target);
  }
}

/**
 * LIKE patterns matching every area path inside the given subtrees, for SQL filters
 * (`path LIKE ANY(patterns)`). '_' and '%' in a path are escaped so they cannot widen a prefix.
 */
export function subtreePatterns(paths: readonly string[]): string[] {
  return paths.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`);
}
