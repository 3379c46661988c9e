import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import en from '../../../shared/i18n/en/custody-oversight.json' with { type: 'json' };
import es from '../../../shared/i18n/es/custody-oversight.json' with { type: 'json' };
import fr from '../../../shared/i18n/fr/custody-oversight.json' with { type: 'json' };
import pt from '../../../shared/i18n/pt/custody-oversight.json' with { type: 'json' };
import sw from '../../../shared/i18n/sw/custody-oversight.json' with { type: 'json' };
import type { FractionDto } from '../../../shared/schemas/custody.ts';
import type {
  ChainEventDto,
  EligibilityDto,
  ExporterReportDto,
  ImprovementFacts,
  LotReportDto,
  OriginDto,
  ReportFlagDto,
  ReportIncidentDto,
  SiteOriginDto,
} from '../../../shared/schemas/due-diligence.ts';
import {
  type DocumentLocale,
  documentDate,
  documentDateTime,
  documentTexts,
  fill,
} from '../../platform/documents/language.ts';
import { fitText, printable, wrapText } from '../licence-cards/card.pdf.ts';
import { labelMass } from './label.pdf.ts';

/**
 * The printed due-diligence report: A4 pages of text in the country's language (or the one asked
 * for), the content hash of the JSON on the first page and at the foot of every page. The figures
 * are those of the JSON report it is drawn from; nothing here computes a verdict.
 */

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const WIDTH = A4[0] - 2 * MARGIN;
/** How many lines one paragraph may take before it is shortened (a long resolution text, a name). */
const MAX_LINES = 8;

interface OversightTexts {
  flags: Record<string, string>;
  categories: Record<string, string>;
  classes: Record<string, string>;
  statuses: Record<string, string>;
}
const OVERSIGHT: Record<string, OversightTexts> = { en, fr, es, pt, sw };

export interface ReportPrint {
  locale: DocumentLocale;
  /** The names of the improvement standard's levels in the profile, by level number (1 first). */
  levelNames: string[];
}

type Fonts = { regular: PDFFont; bold: PDFFont; mono: PDFFont };

/** Lines down A4 pages, a new page when one is full. */
class Pages {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  private y = 0;
  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  private newPage() {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN;
  }

  private room(height: number) {
    // The foot of the page (page number and hash) keeps its own line.
    if (this.y - height < MARGIN + 18) this.newPage();
  }

  text(
    s: string,
    o: { size?: number; bold?: boolean; mono?: boolean; indent?: number; lines?: number } = {},
  ) {
    const size = o.size ?? 9;
    const font = o.mono ? this.fonts.mono : o.bold ? this.fonts.bold : this.fonts.regular;
    const indent = o.indent ?? 0;
    for (const line of wrapText(s, font, size, WIDTH - indent, o.lines ?? MAX_LINES)) {
      this.room(size + 3);
      this.y -= size + 3;
      this.page.drawText(line, { x: MARGIN + indent, y: this.y, size, font, color: rgb(0.1, 0.1, 0.1) });
    }
  }

  heading(s: string) {
    this.gap(8);
    this.room(40);
    this.text(s, { size: 12, bold: true });
    this.gap(3);
  }

  gap(points: number) {
    this.y -= points;
  }

  /** "Page n of N" and the hash at the foot of every page, once all pages exist. */
  footer(text: (page: number, pages: number) => string) {
    this.pages.forEach((page, i) => {
      page.drawText(fitText(text(i + 1, this.pages.length), this.fonts.regular, 7, WIDTH), {
        x: MARGIN,
        y: MARGIN - 14,
        size: 7,
        font: this.fonts.regular,
        color: rgb(0.35, 0.35, 0.35),
      });
    });
  }
}

/** What prints the report's parts in one language. */
function printer(print: ReportPrint) {
  const { language } = print.locale;
  const docs = documentTexts(language);
  const t = docs.dueDiligence;
  const o = OVERSIGHT[language] ?? en;
  const minerals = docs.lotLabel.minerals as Record<string, string>;
  const forms = docs.lotLabel.forms as Record<string, string>;
  const mass = (mg: number) => labelMass(language, mg);
  const percent = (f: FractionDto) =>
    new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 2 }).format(f.value);
  const day = (d: string) => documentDate(language, d);
  const instant = (d: string) => documentDateTime(print.locale, d);
  const unknown = (s: string | null | undefined) => (s ? s : t.unknown);
  const levelText = (i: ImprovementFacts) =>
    i.level === null
      ? t.levelUnverified
      : i.level === 0
        ? t.levelNotReached
        : `${print.levelNames[i.level - 1] ?? i.level}${
            i.meetsMinimum === null ? '' : ` (${i.meetsMinimum ? t.levelMeets : t.levelBelow})`
          }`;

  return {
    t,
    mass,
    percent,
    day,
    instant,
    mineral: (code: string) => minerals[code] ?? code,
    form: (code: string) => forms[code] ?? code,

    summary(p: Pages, s: LotReportDto['summary']) {
      p.heading(t.summary);
      p.text(t.verdicts[s.verdict], { bold: true });
      p.text(fill(t.originCount, { count: String(s.origins), sites: String(s.sites) }));
      p.text(fill(t.licensedShare, { percent: percent(s.licensedShare) }));
      p.text(fill(t.flagCount, { open: String(s.openFlags), resolved: String(s.resolvedFlags) }));
      p.text(
        fill(t.incidentCount, { open: String(s.openIncidents), disengage: String(s.disengagementIncidents) }),
      );
    },

    eligibility(p: Pages, e: EligibilityDto) {
      p.heading(fill(t.eligibility, { kind: t.buyerKinds[e.buyerKind] }));
      p.text(
        e.minimumLevel
          ? fill(t.minimum, { level: print.levelNames[e.minimumLevel.level - 1] ?? e.minimumLevel.code })
          : t.noMinimum,
      );
      p.text(e.eligible ? t.eligible : t.notEligible, { bold: true });
      for (const r of e.reasons)
        p.text(
          `- ${fill(t.reasons[r.code], {
            tag: unknown(r.lotTag),
            site: unknown(r.siteName),
            level: String(r.level ?? ''),
          })}`,
          { indent: 8 },
        );
      this.more(p, e.reasonsMore);
    },

    more(p: Pages, count: number) {
      if (count > 0) p.text(fill(t.more, { count: String(count) }), { indent: 8 });
    },

    origin(p: Pages, x: OriginDto) {
      p.gap(3);
      p.text(
        fill(t.origin, {
          tag: x.tag,
          share: percent(x.share),
          mass: mass(x.massMg),
          date: day(x.producedOn),
          producer: x.producerName,
        }),
        { bold: true },
      );
      p.text(x.site ? fill(t.site, { site: x.site.name, area: x.site.areaName }) : t.noSite, { indent: 8 });
      const l = x.licence;
      p.text(
        l
          ? fill(t.licence, {
              number: l.number,
              status: t.licenceStatuses[l.status],
              holder: unknown(l.holderName),
              from: day(l.validFrom),
              to: day(l.validTo),
            })
          : t.noLicence,
        { indent: 8 },
      );
      p.text(x.licensed ? t.licensed : t.notLicensed, { indent: 8 });
      p.text(
        fill(t.level, { subject: unknown(x.improvement.subjectName), level: levelText(x.improvement) }),
        { indent: 8 },
      );
    },

    event(p: Pages, e: ChainEventDto) {
      p.gap(3);
      const values = {
        date: instant(e.occurredAt),
        kind: t.eventKinds[e.kind],
        actor: e.actorName,
        counterpart: e.counterpartName ?? '',
      };
      p.text(fill(e.counterpartName ? t.eventTo : t.event, values), { bold: true });
      p.text(fill(t.eventLots, { mass: mass(e.massMg), lots: e.lots.map((l) => l.tag).join(', ') }), {
        indent: 8,
      });
      if (e.lossMg > 0) p.text(fill(t.eventLoss, { mass: mass(e.lossMg) }), { indent: 8 });
      if (e.confirmed !== null) p.text(e.confirmed ? t.confirmed : t.unconfirmed, { indent: 8 });
      if (e.exportPermit)
        p.text(fill(t.eventExport, { permit: e.exportPermit, country: unknown(e.destinationCountry) }), {
          indent: 8,
        });
      if (e.documents.length > 0)
        p.text(
          fill(t.eventDocuments, {
            documents: e.documents.map((d) => `${d.kind} ${d.reference}`).join('; '),
          }),
          { indent: 8 },
        );
    },

    flag(p: Pages, f: ReportFlagDto) {
      p.gap(3);
      const what = [f.lotTag, f.siteName, f.actorName].filter((x): x is string => Boolean(x)).join(', ');
      p.text(
        fill(t.flag, {
          status: t.flagStatuses[f.status],
          date: instant(f.raisedAt),
          on: what ? fill(t.flagOn, { what }) : '',
        }),
        { bold: true },
      );
      p.text(fill(o.flags[f.code] ?? f.code, flagValues(f.params, mass, day)), { indent: 8 });
      if (f.resolvedAt)
        p.text(fill(t.flagResolved, { date: instant(f.resolvedAt), resolution: f.resolution ?? '' }), {
          indent: 8,
        });
    },

    incident(p: Pages, i: ReportIncidentDto) {
      p.gap(3);
      p.text(
        fill(t.incident, {
          date: instant(i.observedAt),
          category: o.categories[i.category] ?? i.category,
          status: o.statuses[i.status] ?? i.status,
        }),
        { bold: true },
      );
      p.text(o.classes[i.annexClass] ?? i.annexClass, { indent: 8 });
      const what = [i.siteName, i.actorName].filter((x): x is string => Boolean(x)).join(', ');
      if (what) p.text(fill(t.incidentOn, { what }), { indent: 8 });
      const plan = { done: String(i.plan.done), actions: String(i.plan.actions) };
      p.text(
        i.plan.actions === 0
          ? t.noPlan
          : i.plan.nextDeadline
            ? fill(t.plan, { ...plan, deadline: day(i.plan.nextDeadline) })
            : fill(t.planDone, plan),
        { indent: 8 },
      );
    },

    site(p: Pages, s: SiteOriginDto) {
      p.gap(3);
      p.text(
        fill(t.siteLine, {
          site: unknown(s.siteName),
          area: unknown(s.areaName),
          share: percent(s.share),
          mass: mass(s.massMg),
          lots: String(s.originLots),
        }),
        { bold: true },
      );
      p.text(
        s.licenceNumbers.length > 0
          ? fill(t.siteLicences, { numbers: s.licenceNumbers.join(', ') })
          : t.noLicence,
        {
          indent: 8,
        },
      );
      if (!s.licensed) p.text(t.siteUnlicensed, { indent: 8 });
      for (const i of s.improvement)
        p.text(fill(t.level, { subject: unknown(i.subjectName), level: levelText(i) }), { indent: 8 });
      p.text(fill(t.siteOpen, { flags: String(s.openFlags), incidents: String(s.openIncidents) }), {
        indent: 8,
      });
    },

    /** The stamp: when, the hash in full (monospace, to compare character by character), what it is for. */
    stamp(p: Pages, report: { generatedAt: string; contentHash: string }) {
      p.text(fill(t.generatedAt, { date: instant(report.generatedAt) }));
      p.gap(4);
      p.text(t.hash, { size: 8 });
      p.text(report.contentHash, { size: 8, mono: true });
      p.text(t.hashNote, { size: 7 });
      p.gap(4);
      p.text(t.purpose, { size: 8 });
    },

    list<T>(p: Pages, title: string, items: readonly T[], more: number, draw: (p: Pages, x: T) => void) {
      p.heading(title);
      if (items.length === 0) p.text(t.none);
      for (const x of items) draw(p, x);
      this.more(p, more);
    },
  };
}

/** The values a flag's reason fills in: its params as text, days as the language writes them, masses in grams. */
function flagValues(
  params: Record<string, unknown>,
  mass: (mg: number) => string,
  day: (d: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = typeof v !== 'string' ? JSON.stringify(v) : /^\d{4}-\d{2}-\d{2}$/.test(v) ? day(v) : v;
  if (typeof params.producedMg === 'number') out.produced = mass(params.producedMg);
  if (typeof params.capacityMg === 'number') out.capacity = mass(params.capacityMg);
  return out;
}

async function newDocument(title: string) {
  const doc = await PDFDocument.create();
  doc.setTitle(printable(title));
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
  };
  return { doc, pages: new Pages(doc, fonts) };
}

export async function renderLotReport(report: LotReportDto, print: ReportPrint): Promise<Uint8Array> {
  const x = printer(print);
  const { t } = x;
  const { doc, pages: p } = await newDocument(fill(t.lot, { tag: report.lot.tag }));
  p.text(t.titleLot, { size: 14, bold: true });
  p.gap(4);
  p.text(fill(t.lot, { tag: report.lot.tag }), { size: 18, bold: true });
  p.text(
    fill(t.lotFacts, {
      mineral: x.mineral(report.lot.mineral),
      form: x.form(report.lot.form),
      mass: x.mass(report.lot.massMg),
      holder: report.lot.holderName,
      status: t.lotStatuses[report.lot.status],
    }),
  );
  p.gap(6);
  x.stamp(p, report);
  x.summary(p, report.summary);
  x.eligibility(p, report.eligibility);
  x.list(p, t.origins, report.origins, report.originsMore, (pp, o) => x.origin(pp, o));
  x.list(p, t.chain, report.chain, report.chainMore, (pp, e) => x.event(pp, e));
  x.list(p, t.flags, report.flags, report.flagsMore, (pp, f) => x.flag(pp, f));
  x.list(p, t.incidents, report.incidents, report.incidentsMore, (pp, i) => x.incident(pp, i));
  p.footer(
    (page, count) =>
      `SHA-256 ${report.contentHash} - ${fill(t.page, { page: String(page), pages: String(count) })} - ${fill(t.lot, { tag: report.lot.tag })}`,
  );
  return doc.save();
}

export async function renderExporterReport(
  report: ExporterReportDto,
  print: ReportPrint,
): Promise<Uint8Array> {
  const x = printer(print);
  const { t } = x;
  const { doc, pages: p } = await newDocument(fill(t.exporter, { name: report.exporter.name }));
  p.text(t.titleExporter, { size: 14, bold: true });
  p.gap(4);
  p.text(fill(t.exporter, { name: report.exporter.name }), { size: 16, bold: true });
  p.text(fill(t.period, { from: x.day(report.period.from), to: x.day(report.period.to) }));
  p.gap(6);
  x.stamp(p, report);
  x.summary(p, report.summary);
  p.text(
    fill(t.exportedCount, {
      count: String(report.summary.exportedLots),
      mass: x.mass(report.summary.exportedMassMg),
    }),
  );
  x.eligibility(p, report.eligibility);
  x.list(p, t.sites, report.sites, report.sitesMore, (pp, s) => x.site(pp, s));
  x.list(p, t.lots, report.lots, report.lotsMore, (pp, l) => {
    pp.gap(3);
    pp.text(
      fill(t.lotLine, {
        tag: l.tag,
        date: x.instant(l.exportedAt),
        mass: x.mass(l.massMg),
        permit: l.exportPermit ?? t.unknown,
        country: l.destinationCountry ?? t.unknown,
      }),
      { bold: true },
    );
    pp.text(
      fill(t.lotAssessment, {
        sites: String(l.originSites),
        percent: x.percent(l.licensedShare),
        verdict: t.verdictsShort[l.verdict],
        eligible: l.eligible ? t.eligibleShort : t.notEligibleShort,
      }),
      { indent: 8 },
    );
  });
  x.list(p, t.flags, report.flags, report.flagsMore, (pp, f) => x.flag(pp, f));
  x.list(p, t.incidents, report.incidents, report.incidentsMore, (pp, i) => x.incident(pp, i));
  p.footer(
    (page, count) =>
      `SHA-256 ${report.contentHash} - ${fill(t.page, { page: String(page), pages: String(count) })} - ${report.exporter.name}`,
  );
  return doc.save();
}
