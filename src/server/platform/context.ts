/**
 * Who is asking, on whose behalf, and from where. Built once per request by the auth plugin and
 * passed explicitly to services (never read from a global).
 */
export interface Grant {
  roleCode: string;
  areaId: string;
  /** Materialised path of the area (/GH/GH-AH/): the grant covers this subtree. */
  areaPath: string;
  permissions: ReadonlySet<string>;
}

export interface Actor {
  kind: 'user' | 'token' | 'system';
  id: string;
  /** For a user: the account's own area (its office). For a token: the token's area. */
  homeAreaId: string | null;
  grants: readonly Grant[];
  /** For API tokens: the scopes it was given (already intersected with its role's permissions). */
  sessionId?: string;
}

export interface RequestContext {
  requestId: string;
  actor: Actor | null;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', homeAreaId: null, grants: [] };

export function systemContext(requestId = 'system'): RequestContext {
  return { requestId, actor: SYSTEM_ACTOR, ip: null, userAgent: null };
}
