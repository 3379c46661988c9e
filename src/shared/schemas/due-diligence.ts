import { z } from 'zod';
import {
  ACTOR_KINDS,
  documentSchema,
  EVENT_KINDS,
  fractionSchema,
  LOT_FORMS,
  LOT_STATUSES,
} from './custody.ts';
import { FLAG_CODES, INCIDENT_CATEGORIES, INCIDENT_STATUSES } from './custody-oversight.ts';

/**
 * Due-diligence reports (issue 6) for a lot and for an exporter: where the mineral came from, the
 * chain it went through, the risk flags and incidents recorded on that chain, the improvement level of
 * each producer, and whether a kind of buyer may take it under the country's rules. A report states
 * what the register holds; it informs a buyer and the export authority, it decides nothing.
 */

/** Most lines a report lists of each kind; the rest is counted in the matching `…More`. */
export const REPORT_LIMITS = {
  origins: 200,
  chain: 500,
  flags: 200,
  incidents: 100,
  sites: 200,
  lots: 100,
  reasons: 50,
} as const;

/** The longest period an exporter report covers, in days, and the period it covers by default. */
export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 90;

/**
 * no_open_red_flags: nothing open is recorded on the chain; mitigation_in_progress: risks are
 * recorded and still open (flags or Annex II class 2 incidents); disengage: an Annex II class 1
 * incident stands against a site or actor of the chain, for which the guidance says to disengage.
 */
export const VERDICTS = ['no_open_red_flags', 'mitigation_in_progress', 'disengage'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const ELIGIBILITY_REASONS = [
  'origin_below_level',
  'origin_level_unverified',
  'origin_unlicensed',
  'origin_licence_suspended',
  'disengagement_incident',
] as const;

export const REPORT_LANGUAGES = ['en', 'fr', 'sw', 'es', 'pt'] as const;

const day = z.iso.date().describe('A calendar day, YYYY-MM-DD, in the country profile’s time zone');
const buyerKind = z
  .enum(ACTOR_KINDS)
  .default('exporter')
  .describe('The kind of buyer whose eligibility rules apply (the country profile names them)');
const language = z
  .enum(REPORT_LANGUAGES)
  .optional()
  .describe("Language of the printed report; by default the country profile's first");

export const eligibilityQuery = z.strictObject({ buyerKind });
export const lotReportQuery = z.strictObject({ buyerKind });
export const lotReportPdfQuery = z.strictObject({ buyerKind, language });

const period = {
  from: day.optional().describe(`First day; by default ${DEFAULT_PERIOD_DAYS} days before \`to\``),
  to: day.optional().describe('Last day; today by default'),
};
const DAY_MS = 86_400_000;
const periodRule = (q: { from?: string | undefined; to?: string | undefined }) =>
  !q.from || !q.to || (q.from <= q.to && Date.parse(q.to) - Date.parse(q.from) < MAX_PERIOD_DAYS * DAY_MS);
const periodMessage = {
  message: `from must not be after to, and the period may last at most ${MAX_PERIOD_DAYS} days`,
  path: ['to'],
};
export const exporterReportQuery = z.strictObject({ ...period, buyerKind }).refine(periodRule, periodMessage);
export const exporterReportPdfQuery = z
  .strictObject({ ...period, buyerKind, language })
  .refine(periodRule, periodMessage);
export type ExporterReportQuery = z.infer<typeof exporterReportQuery>;

// Pieces ------------------------------------------------------------------------------------------

export const eligibilityReasonSchema = z.object({
  code: z.enum(ELIGIBILITY_REASONS),
  /** The origin site the reason is about (origin reasons), when recorded. */
  siteId: z.string().nullable(),
  siteName: z.string().nullable(),
  /** An origin lot the reason was found on (the first by tag when several share it). */
  lotTag: z.string().nullable(),
  /** origin_below_level: the level reached. */
  level: z.number().int().nullable(),
  /** disengagement_incident: the incident. */
  incidentId: z.string().nullable(),
});
export type EligibilityReason = z.infer<typeof eligibilityReasonSchema>;

export const eligibilitySchema = z.object({
  buyerKind: z.enum(ACTOR_KINDS),
  /** The improvement level the profile asks of origins for this kind of buyer; null when none. */
  minimumLevel: z.object({ code: z.string(), level: z.number().int() }).nullable(),
  eligible: z.boolean(),
  reasons: z.array(eligibilityReasonSchema),
  reasonsMore: z.number().int(),
});
export type EligibilityDto = z.infer<typeof eligibilitySchema>;

export const LICENCE_STATUSES = ['active', 'suspended', 'revoked', 'expired'] as const;
const SUBJECT_KINDS = ['person', 'enterprise', 'production_unit'] as const;

const licenceSchema = z.object({
  id: z.string(),
  number: z.string(),
  /** Its status when the report was made. */
  status: z.enum(LICENCE_STATUSES),
  validFrom: z.string(),
  validTo: z.string(),
  holderKind: z.enum(SUBJECT_KINDS),
  holderId: z.string(),
  holderName: z.string(),
});

export const improvementSchema = z.object({
  /** Whose level: the licence holder, else the producer's enterprise or person, else the site. */
  subjectKind: z.enum(SUBJECT_KINDS).nullable(),
  subjectId: z.string().nullable(),
  subjectName: z.string().nullable(),
  /** Level found by the latest verification; null when never verified. */
  level: z.number().int().nullable(),
  levelCode: z.string().nullable(),
  /** Whether it reaches the minimum for the buyer; null when no minimum applies. */
  meetsMinimum: z.boolean().nullable(),
});
export type ImprovementFacts = z.infer<typeof improvementSchema>;

const siteSchema = z.object({ id: z.string(), name: z.string(), areaId: z.string(), areaName: z.string() });

export const originSchema = z.object({
  lotId: z.string(),
  tag: z.string(),
  /** Exact share of the reported lot's mass that came from this origin lot. */
  share: fractionSchema,
  massMg: z.number().int(),
  producedOn: z.string(),
  producerActorId: z.string(),
  producerName: z.string(),
  site: siteSchema.nullable(),
  licence: licenceSchema.nullable(),
  /** A licence covered the day of production and is neither suspended nor revoked now. */
  licensed: z.boolean(),
  improvement: improvementSchema,
});
export type OriginDto = z.infer<typeof originSchema>;

export const chainEventSchema = z.object({
  id: z.string(),
  kind: z.enum(EVENT_KINDS),
  occurredAt: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  counterpartId: z.string().nullable(),
  counterpartName: z.string().nullable(),
  place: z.string().nullable(),
  /** What the event made or moved (export: what left the country); lossMg: lost in processing. */
  massMg: z.number().int(),
  lossMg: z.number().int(),
  /** Transfers: whether the other side confirmed; null for the other kinds. */
  confirmed: z.boolean().nullable(),
  documents: z.array(documentSchema),
  exportPermit: z.string().nullable(),
  destinationCountry: z.string().nullable(),
  /** The lots of the chain the event took in, made or moved. */
  lots: z.array(
    z.object({
      lotId: z.string(),
      tag: z.string(),
      role: z.enum(['input', 'output', 'moved']),
      massMg: z.number(),
    }),
  ),
});
export type ChainEventDto = z.infer<typeof chainEventSchema>;

export const reportFlagSchema = z.object({
  id: z.string(),
  code: z.enum(FLAG_CODES),
  status: z.enum(['open', 'resolved']),
  raisedAt: z.string(),
  lotId: z.string().nullable(),
  lotTag: z.string().nullable(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  siteId: z.string().nullable(),
  siteName: z.string().nullable(),
  eventId: z.string().nullable(),
  params: z.record(z.string(), z.unknown()).describe('Values for the translated reason'),
  evidence: z.record(z.string(), z.unknown()).describe('What the flag was raised on'),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
});
export type ReportFlagDto = z.infer<typeof reportFlagSchema>;

export const reportIncidentSchema = z.object({
  id: z.string(),
  category: z.enum(INCIDENT_CATEGORIES),
  annexClass: z.enum(['class_1', 'class_2']),
  status: z.enum(INCIDENT_STATUSES),
  observedAt: z.string(),
  siteId: z.string().nullable(),
  siteName: z.string().nullable(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  lotId: z.string().nullable(),
  /** The mitigation plan in short: how many actions, how many done, the next open deadline. */
  plan: z.object({ actions: z.number().int(), done: z.number().int(), nextDeadline: z.string().nullable() }),
});
export type ReportIncidentDto = z.infer<typeof reportIncidentSchema>;

const summaryShape = {
  /** Origin lots (made by production) the mineral comes from, and their distinct sites. */
  origins: z.number().int(),
  sites: z.number().int(),
  /** Exact part of the mass that comes from licensed origins (see originSchema.licensed). */
  licensedShare: fractionSchema,
  openFlags: z.number().int(),
  resolvedFlags: z.number().int(),
  /** Incidents not resolved, and among them those of Annex II class 1 (disengagement). */
  openIncidents: z.number().int(),
  disengagementIncidents: z.number().int(),
  verdict: z.enum(VERDICTS),
};

const stamp = {
  /** When the report was made; not part of the content hash. */
  generatedAt: z.string(),
  /**
   * sha-256 (hex) of the canonical JSON of the report without generatedAt and contentHash; the PDF
   * prints it, so that a printed report can be checked against the JSON.
   */
  contentHash: z.string(),
  country: z.string(),
};

export const lotReportSchema = z.object({
  kind: z.literal('lot'),
  ...stamp,
  lot: z.object({
    id: z.string(),
    tag: z.string(),
    mineral: z.string(),
    form: z.enum(LOT_FORMS),
    massMg: z.number().int(),
    finenessPtt: z.number().int().nullable(),
    status: z.enum(LOT_STATUSES),
    holderActorId: z.string(),
    holderName: z.string(),
    /** The holder's area: the lot's jurisdiction. */
    areaId: z.string(),
    createdAt: z.string(),
  }),
  summary: z.object(summaryShape),
  /** Largest share first. */
  origins: z.array(originSchema),
  originsMore: z.number().int(),
  /** Every event upstream of the lot, oldest first (and its export, when it was exported). */
  chain: z.array(chainEventSchema),
  chainMore: z.number().int(),
  /** Open first, newest first. */
  flags: z.array(reportFlagSchema),
  flagsMore: z.number().int(),
  incidents: z.array(reportIncidentSchema),
  incidentsMore: z.number().int(),
  eligibility: eligibilitySchema,
});
export type LotReportDto = z.infer<typeof lotReportSchema>;

export const siteOriginSchema = z.object({
  siteId: z.string().nullable(),
  siteName: z.string().nullable(),
  areaName: z.string().nullable(),
  /** Milligrams of the exported mineral from this site (rounded), and its exact share of the total. */
  massMg: z.number().int(),
  share: fractionSchema,
  originLots: z.number().int(),
  /** Every origin lot from the site is licensed. */
  licensed: z.boolean(),
  licenceNumbers: z.array(z.string()),
  /** The level of each producer that delivered from the site. */
  improvement: z.array(improvementSchema),
  openFlags: z.number().int(),
  openIncidents: z.number().int(),
});
export type SiteOriginDto = z.infer<typeof siteOriginSchema>;

export const exportedLotSchema = z.object({
  lotId: z.string(),
  tag: z.string(),
  exportedAt: z.string(),
  massMg: z.number().int(),
  exportPermit: z.string().nullable(),
  destinationCountry: z.string().nullable(),
  originSites: z.number().int(),
  licensedShare: fractionSchema,
  verdict: z.enum(VERDICTS),
  eligible: z.boolean(),
});

export const exporterReportSchema = z.object({
  kind: z.literal('exporter'),
  ...stamp,
  exporter: z.object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'suspended']),
    areaId: z.string(),
  }),
  period: z.object({ from: z.string(), to: z.string() }),
  summary: z.object({
    ...summaryShape,
    exportedLots: z.number().int(),
    exportedMassMg: z.number().int(),
  }),
  /** Origins gathered by site, most mass first. */
  sites: z.array(siteOriginSchema),
  sitesMore: z.number().int(),
  /** The lots exported in the period, newest first. */
  lots: z.array(exportedLotSchema),
  lotsMore: z.number().int(),
  flags: z.array(reportFlagSchema),
  flagsMore: z.number().int(),
  incidents: z.array(reportIncidentSchema),
  incidentsMore: z.number().int(),
  eligibility: eligibilitySchema,
});
export type ExporterReportDto = z.infer<typeof exporterReportSchema>;
