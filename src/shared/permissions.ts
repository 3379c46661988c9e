/**
 * The permission codes the server checks. Roles (configurable, stored in the database) are sets of
 * these; modules add theirs here so the web client can show and hide what a role may use.
 */
export const PERMISSIONS = [
  'areas.read',
  'areas.manage',
  'profiles.read',
  'profiles.manage',
  'users.read',
  'users.manage',
  'roles.read',
  'roles.manage',
  'tokens.manage',
  'audit.read',
  'audit.verify',
  // Registry (issue 4): people, enterprises and production units.
  'registry.read',
  'registry.write',
  /** Vulnerable-group attributes (disability, migrant, ethnic minority): every read is audited. */
  'registry.sensitive.read',
  // Licensing (issue 4): applications, decisions and licences.
  'licensing.read',
  'licensing.apply',
  'licensing.decide',
  /** Recording licence fee payments (cash, mobile money, bank) and their receipts. */
  'fees.record',
  // Cadastre (issue 5): layers of areas and the overlap check of an application area.
  'cadastre.read',
  /** Creating layers and importing their areas: country-wide reference data. */
  'cadastre.manage',
  // Chain of custody (issue 6): lots, transfers, transformations, exports and their trace.
  'custody.read',
  /** Recording production, transfers, splits, merges, processing and exports of lots. */
  'custody.record',
  // Improvement standard (issue 6): assessments, verifications and improvement plans of producers.
  'improvement.read',
  /** Recording self-assessments (on a producer's behalf) and improvement plan actions. */
  'improvement.assess',
  /** Verifying a producer against the standard with evidence: the level licence conditions rely on. */
  'improvement.verify',
  /** Suspending and reinstating custody actors: a regulator's decision, never a trader's. */
  'custody.suspend',
  // Due diligence (issue 6): the incident register (OECD Annex II) and the risk flags.
  'incidents.read',
  /** Recording incidents and site observations. */
  'incidents.record',
  /** Mitigation plans and incident status, resolving risk flags, reference prices (nationally). */
  'incidents.manage',
  // Production logbooks (issue 6): periodic reports per licence or production unit.
  'logbooks.read',
  /** Recording a period's report (from a phone, or typed from the paper logbook by an officer). */
  'logbooks.record',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** Scopes an API token may carry: the permissions a machine may need, never account administration. */
export const TOKEN_SCOPES: readonly Permission[] = ['areas.read', 'profiles.read'];

export interface RoleDefinition {
  code: string;
  name: string;
  description: string;
  permissions: Permission[];
}

/**
 * The roles a new installation starts with. An administrator can change their permissions later;
 * start-up adds missing roles but never overwrites edited ones.
 */
export const DEFAULT_ROLES: RoleDefinition[] = [
  {
    code: 'system_admin',
    name: 'System administrator',
    description: 'Runs the installation: accounts, roles, profiles, areas.',
    permissions: [...PERMISSIONS],
  },
  {
    code: 'national_supervisor',
    name: 'National supervisor',
    description: 'Oversees every office in the country; reads all records and the audit trail.',
    permissions: [
      'areas.read',
      'profiles.read',
      'users.read',
      'roles.read',
      'audit.read',
      'registry.read',
      'licensing.read',
      'licensing.decide',
      'cadastre.read',
      'cadastre.manage',
      'custody.read',
      'improvement.read',
      'custody.suspend',
      'incidents.read',
      'incidents.manage',
      'logbooks.read',
    ],
  },
  {
    code: 'regional_officer',
    name: 'Regional officer',
    description: 'Supervises the district offices of a region.',
    permissions: [
      'areas.read',
      'profiles.read',
      'users.read',
      'audit.read',
      'registry.read',
      'licensing.read',
      'licensing.decide',
      'cadastre.read',
      'custody.read',
      'improvement.read',
      'custody.suspend',
      'incidents.read',
      'incidents.manage',
      'logbooks.read',
    ],
  },
  {
    code: 'district_officer',
    name: 'District officer',
    description: 'Serves the miners of a district: registry, licences, logbooks.',
    permissions: [
      'areas.read',
      'profiles.read',
      'users.read',
      'registry.read',
      'registry.write',
      'registry.sensitive.read',
      'licensing.read',
      'licensing.apply',
      'licensing.decide',
      'fees.record',
      'cadastre.read',
      'custody.read',
      'improvement.read',
      'improvement.assess',
      'improvement.verify',
      'custody.record',
      'custody.suspend',
      'incidents.read',
      'incidents.record',
      'incidents.manage',
      'logbooks.read',
      'logbooks.record',
    ],
  },
  {
    code: 'office_admin',
    name: 'Office administrator',
    description: 'Manages the accounts and device tokens of an office.',
    // An office administrator may give the office's roles, and no one can give more than they hold
    // (access.role_escalation): so it holds the registry rights of the district officers it appoints.
    permissions: [
      'areas.read',
      'profiles.read',
      'users.read',
      'users.manage',
      'roles.read',
      'tokens.manage',
      'registry.read',
      'registry.write',
      'registry.sensitive.read',
      'licensing.read',
      'licensing.apply',
      'licensing.decide',
      'fees.record',
      'cadastre.read',
      'custody.read',
      'improvement.read',
      'improvement.assess',
      'improvement.verify',
      'custody.record',
      'custody.suspend',
      'incidents.read',
      'incidents.record',
      'logbooks.read',
      'logbooks.record',
    ],
  },
  {
    code: 'auditor',
    name: 'Auditor',
    description: 'Oversight body: reads the audit trail and verifies its chain.',
    permissions: [
      'areas.read',
      'profiles.read',
      'users.read',
      'roles.read',
      'audit.read',
      'audit.verify',
      'registry.read',
      'licensing.read',
      'cadastre.read',
      'custody.read',
      'improvement.read',
      'incidents.read',
      'logbooks.read',
    ],
  },
  {
    code: 'buying_station_agent',
    name: 'Buying-station agent',
    description: 'Records purchases at an accredited buying station.',
    permissions: [
      'areas.read',
      'profiles.read',
      'registry.read',
      'licensing.read',
      'custody.read',
      'improvement.read',
      'custody.record',
    ],
  },
  {
    code: 'community_monitor',
    name: 'Community monitor',
    description: 'Records site observations and incidents.',
    permissions: [
      'areas.read',
      'profiles.read',
      'improvement.read',
      'improvement.verify',
      'incidents.read',
      'incidents.record',
    ],
  },
  {
    code: 'sms_gateway',
    name: 'SMS gateway',
    description: 'The machine account of the SMS/USSD gateway.',
    permissions: ['areas.read', 'profiles.read'],
  },
];
