/**
 * Every action and record type the server writes to the audit trail, grouped by the part of the
 * platform that records them. The audit screen builds its filters and labels from this list alone.
 *
 * audit-catalog.test.ts reads src/server and fails when the two disagree, in either direction: a new
 * audit.record(...) needs its line here and its label in src/shared/i18n/<language>/audit.json
 * (actions.<record>.<verb>, entityTypes.<type>, modules.<module>), in every language.
 */

interface AuditModuleEntry {
  readonly module: string;
  readonly actions: readonly string[];
  readonly entityTypes: readonly string[];
}

export const AUDIT_CATALOG = [
  {
    module: 'accounts',
    actions: [
      'auth.login',
      'auth.login_failed',
      'auth.login_throttled',
      'auth.logout',
      'user.created',
      'user.updated',
      'user.disabled',
      'user.enabled',
      'user.assignment_added',
      'user.assignment_removed',
      'user.exported',
      'role.updated',
      'api_token.created',
      'api_token.revoked',
    ],
    entityTypes: ['user', 'session', 'role', 'api_token'],
  },
  {
    module: 'access',
    actions: ['access.denied'],
    // A refusal names the endpoint, or the record it protected, by the code of its type
    // (auditEntityType in src/server/platform/access/access.ts); codes already listed under another
    // module are not repeated.
    entityTypes: [
      'endpoint',
      'admin_area',
      'cadastre_feature',
      'improvement_action',
      'improvement_assessment',
    ],
  },
  {
    module: 'audit',
    actions: ['audit.verified', 'audit.checkpoint'],
    entityTypes: ['audit_chain', 'audit_checkpoint'],
  },
  {
    module: 'profiles',
    actions: ['profile.loaded'],
    entityTypes: ['country_profile'],
  },
  {
    module: 'tasks',
    actions: ['task.created', 'task.cancelled', 'task.succeeded', 'task.failed', 'task.downloaded'],
    entityTypes: ['task'],
  },
  {
    module: 'registry',
    actions: [
      'person.created',
      'person.updated',
      'person.photo_set',
      'person.photo_removed',
      'person.sensitive_recorded',
      'person.sensitive_read',
      'person.exported',
      'enterprise.created',
      'enterprise.updated',
      'enterprise.member_added',
      'enterprise.member_ended',
      'enterprise.exported',
      'production_unit.created',
      'production_unit.updated',
    ],
    entityTypes: ['person', 'enterprise', 'production_unit'],
  },
  {
    module: 'cadastre',
    actions: ['cadastre.layer_created', 'cadastre.features_imported'],
    entityTypes: ['cadastre_layer'],
  },
  {
    module: 'licensing',
    actions: [
      'licence_application.created',
      'licence_application.updated',
      'licence_application.checklist_updated',
      'licence_application.area_set',
      'licence_application.submitted',
      'licence_application.review_started',
      'licence_application.approved',
      'licence_application.rejected',
      'licence_application.issued',
      'licence.issued',
      'licence.conditions_attached',
      'licence.suspended',
      'licence.reinstated',
      'licence.revoked',
      'licence.expired',
      'licence.renewed',
      'licence_condition.added',
      'licence_condition.met',
      'licence_condition.waived',
    ],
    entityTypes: ['licence_application', 'licence', 'licence_condition'],
  },
  {
    module: 'fees',
    actions: ['licence_fee.payment_recorded'],
    entityTypes: [],
  },
  {
    module: 'rights',
    actions: ['licence.transferred', 'licence.encumbrance_registered', 'licence.encumbrance_released'],
    entityTypes: [],
  },
  {
    module: 'custody',
    actions: [
      'custody.actor_created',
      'custody.actor_suspended',
      'custody.actor_reinstated',
      'custody.production_recorded',
      'custody.transfer_recorded',
      'custody.transfer_confirmed',
      'custody.split_recorded',
      'custody.merge_recorded',
      'custody.processing_recorded',
      'custody.export_recorded',
    ],
    entityTypes: ['custody_actor', 'custody_event', 'lot'],
  },
  {
    module: 'oversight',
    actions: [
      'custody.flag_resolved',
      'custody.incident_recorded',
      'custody.incident_plan_set',
      'custody.incident_status_changed',
      'custody.reference_price_set',
    ],
    entityTypes: ['custody_flag', 'custody_incident', 'reference_price'],
  },
  {
    module: 'due_diligence',
    actions: ['custody.due_diligence_read'],
    entityTypes: [],
  },
  {
    module: 'logbooks',
    actions: ['logbook.submitted', 'logbook.corrected', 'logbook.missing_exported'],
    entityTypes: ['logbook_report'],
  },
  {
    module: 'improvement',
    actions: [
      'improvement.self_assessed',
      'improvement.verified',
      'improvement.action_added',
      'improvement.action_updated',
    ],
    entityTypes: [],
  },
  {
    module: 'demo',
    actions: ['demo.licensing_seeded', 'demo.fees_and_rights_seeded'],
    entityTypes: [],
  },
] as const satisfies readonly AuditModuleEntry[];

export type AuditModule = (typeof AUDIT_CATALOG)[number]['module'];
export type AuditAction = (typeof AUDIT_CATALOG)[number]['actions'][number];
export type AuditEntityType = (typeof AUDIT_CATALOG)[number]['entityTypes'][number];

export const AUDIT_ACTIONS: readonly AuditAction[] = AUDIT_CATALOG.flatMap(
  (m): readonly AuditAction[] => m.actions,
);
export const AUDIT_ENTITY_TYPES: readonly AuditEntityType[] = AUDIT_CATALOG.flatMap(
  (m): readonly AuditEntityType[] => m.entityTypes,
);

const actions: ReadonlySet<string> = new Set(AUDIT_ACTIONS);
const entityTypes: ReadonlySet<string> = new Set(AUDIT_ENTITY_TYPES);

export const isAuditAction = (value: string): value is AuditAction => actions.has(value);
export const isAuditEntityType = (value: string): value is AuditEntityType => entityTypes.has(value);

/** Where an action's label sits in the audit namespace: actions.<record>.<verb>. */
export const auditActionLabelKey = (action: AuditAction): string => `actions.${action}`;

/** Where a record type's label sits in the audit namespace. */
export const auditEntityTypeLabelKey = (type: AuditEntityType): string => `entityTypes.${type}`;

/** Where a module's name sits in the audit namespace, for the groups of the filters. */
export const auditModuleLabelKey = (module: AuditModule): string => `modules.${module}`;
