/**
 * The audit catalog against the server's code. src/server is read as syntax (the TypeScript parser):
 * every audit.record(…) input, every CSV export and background export that records its bulk read,
 * and every access check's target (an access.denied event keeps its record type). The action and
 * record type of each are worked out from string literals, conditionals, templates and typed
 * parameters; what only the code's own constants can tell goes through RESOLVERS below. The test
 * fails on what the server records and the catalog lacks, on what the catalog lists and nobody
 * records, on an expression it cannot follow, and on a label missing in any language.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LICENCE_ACTIONS, LICENCE_TRANSITIONS } from '../server/modules/licensing/workflow.ts';
import { auditEntityType } from '../server/platform/access/access.ts';
import {
  AUDIT_ACTIONS,
  AUDIT_CATALOG,
  AUDIT_ENTITY_TYPES,
  auditActionLabelKey,
  auditEntityTypeLabelKey,
  auditModuleLabelKey,
} from './audit-catalog.ts';
import { EVENT_KINDS } from './schemas/custody.ts';
import { SUBJECT_KINDS } from './schemas/improvement.ts';

const SERVER = new URL('../server/', import.meta.url).pathname;
const I18N = new URL('./i18n/', import.meta.url).pathname;
const LANGUAGES = ['en', 'fr', 'es', 'pt', 'sw'];

interface Source {
  /** Relative to src/server, as in the keys of RESOLVERS. */
  path: string;
  file: ts.SourceFile;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const sources: Source[] = walk(SERVER).map((path) => ({
  path: relative(SERVER, path),
  file: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true),
}));

function nodesOf<T extends ts.Node>(root: ts.Node, is: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node) => {
    if (is(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(root);
  return out;
}

const where = (src: Source, node: ts.Node) =>
  `${src.path}:${src.file.getLineAndCharacterOfPosition(node.getStart(src.file)).line + 1}`;

/** An object literal's own property (name: value, or the shorthand name), without spreads. */
function property(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (p.name && ts.isIdentifier(p.name) && p.name.text === name) {
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
  }
  return undefined;
}

const calleeName = (call: ts.CallExpression | ts.NewExpression): string | undefined => {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
};

/** Calls of a function by name, in one file or in all of src/server. */
function callsOf(name: string, only?: Source): { src: Source; call: ts.CallExpression }[] {
  return (only ? [only] : sources).flatMap((src) =>
    nodesOf(src.file, ts.isCallExpression)
      .filter((call) => calleeName(call) === name)
      .map((call) => ({ src, call })),
  );
}

function constInitializer(src: Source, name: string): ts.Expression {
  const decl = nodesOf(src.file, ts.isVariableDeclaration).find(
    (d) => ts.isIdentifier(d.name) && d.name.text === name,
  );
  if (!decl?.initializer) throw new Error(`${src.path}: no constant ${name}`);
  return ts.isAsExpression(decl.initializer) ? decl.initializer.expression : decl.initializer;
}

const sourceAt = (path: string): Source => {
  const src = sources.find((s) => s.path === path);
  if (!src) throw new Error(`no file src/server/${path}`);
  return src;
};

// ---------------------------------------------------------------------------------------------
// Working out the values an expression can take

/** What the code alone cannot say, keyed "<file>: <expression>"; each resolver must still be needed. */
type Resolver = () => string[];
const unresolved: string[] = [];
const usedResolvers = new Set<string>();

/** Values of one property in every object literal given as an argument (CSV exports, task reads). */
function propertyOfArguments(calls: { src: Source; call: ts.CallExpression }[], index: number, name: string) {
  return calls.flatMap(({ src, call }) => {
    const arg = call.arguments[index];
    const value = arg && ts.isObjectLiteralExpression(arg) ? property(arg, name) : undefined;
    if (!value) {
      unresolved.push(`${where(src, call)}: argument ${index + 1} has no literal ${name}`);
      return [];
    }
    return valuesOf(src, value);
  });
}

function readEventProperty(name: string): string[] {
  return sources.flatMap((src) =>
    nodesOf(src.file, ts.isPropertyAssignment)
      .filter((p) => ts.isIdentifier(p.name) && p.name.text === 'readEvent')
      .flatMap((p) => {
        const value = ts.isObjectLiteralExpression(p.initializer) ? property(p.initializer, name) : undefined;
        if (!value) {
          unresolved.push(`${where(src, p)}: readEvent has no literal ${name}`);
          return [];
        }
        return valuesOf(src, value);
      }),
  );
}

/** The values of each entry of a constant table (`{ a: 'x', b: 'y' }`), or of one field of each entry. */
function tableValues(path: string, name: string, field?: string): string[] {
  const src = sourceAt(path);
  const table = constInitializer(src, name);
  if (!ts.isObjectLiteralExpression(table)) throw new Error(`${path}: ${name} is not an object literal`);
  return table.properties.flatMap((p) => {
    if (!ts.isPropertyAssignment(p)) throw new Error(`${path}: ${name} has a computed entry`);
    if (!field) return valuesOf(src, p.initializer);
    const entry = p.initializer;
    const value = ts.isObjectLiteralExpression(entry) ? property(entry, field) : undefined;
    if (!value) throw new Error(`${path}: ${name} has an entry without ${field}`);
    return valuesOf(src, value);
  });
}

const RESOLVERS: Record<string, Resolver> = {
  // One audit event per kind of custody event.
  'modules/custody/record.ts: row.kind': () => [...EVENT_KINDS],
  'modules/licensing/service.ts: AUDIT_ACTIONS[action]': () =>
    tableValues('modules/licensing/service.ts', 'AUDIT_ACTIONS'),
  // changeLicence takes every licence action but 'expire' (jobs.ts records licence.expired itself).
  "modules/licensing/service.ts: to === 'active' ? 'reinstated' : to": () =>
    LICENCE_ACTIONS.filter((a) => a !== 'expire')
      .map((a) => LICENCE_TRANSITIONS[a].to)
      .map((to) => (to === 'active' ? 'reinstated' : to)),
  'modules/custody/actor-status.ts: step.audit': () =>
    tableValues('modules/custody/actor-status.ts', 'TRANSITIONS', 'audit'),
  // change(tx, ctx, id, apply, action, meta?)
  'modules/custody/incidents.ts: action': () =>
    callsOf('change', sourceAt('modules/custody/incidents.ts')).flatMap(({ src, call }) => {
      const arg = call.arguments[4];
      return arg ? valuesOf(src, arg) : [];
    }),
  // sendCsvExport(db, audit, ctx, reply, { action, entityType, … })
  'platform/http/csv-reply.ts: e.action': () => propertyOfArguments(callsOf('sendCsvExport'), 4, 'action'),
  'platform/http/csv-reply.ts: e.entityType': () =>
    propertyOfArguments(callsOf('sendCsvExport'), 4, 'entityType'),
  // A background export's producer names the bulk read the task records when it succeeds.
  'modules/tasks/runner.ts: producer.readEvent.action': () => readEventProperty('action'),
  'modules/tasks/runner.ts: producer.readEvent.entityType': () => readEventProperty('entityType'),
  // An improvement assessment or action is recorded against its subject.
  'modules/improvement/service.ts: input.subjectKind': () => [...SUBJECT_KINDS],
  'modules/improvement/service.ts: kind': () => [...SUBJECT_KINDS],
  'modules/improvement/service.ts: x.subject_kind': () => [...SUBJECT_KINDS],
  // areaTarget(entityType, entityId, area)
  'modules/improvement/views.ts: entityType': () =>
    callsOf('areaTarget').flatMap(({ src, call }) => {
      const arg = call.arguments[0];
      return arg ? valuesOf(src, arg) : [];
    }),
  'modules/improvement/service.ts: subjectEntity(kind)': () =>
    tableValues('modules/improvement/views.ts', 'ENTITY'),
  // A refusal keeps, as a code, the record type its access check named (see accessTargetTypes below).
  'app.ts: auditEntityType(denied.target.entityType)': () => accessTargetTypes().map(auditEntityType),
};

/** The string literals of a parameter's type ('met' | 'waived'), when the name is a parameter so typed. */
function parameterLiterals(id: ts.Identifier): string[] | undefined {
  for (let n: ts.Node | undefined = id.parent; n; n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    const param = n.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
    if (!param) continue;
    const type = param.type;
    const members = type && ts.isUnionTypeNode(type) ? type.types : type ? [type] : [];
    const literals = members.flatMap((m) =>
      ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal) ? [m.literal.text] : [],
    );
    return literals.length > 0 && literals.length === members.length ? literals : undefined;
  }
  return undefined;
}

function valuesOf(src: Source, node: ts.Expression): string[] {
  const key = `${src.path}: ${node.getText(src.file)}`;
  const resolver = RESOLVERS[key];
  if (resolver) {
    usedResolvers.add(key);
    return resolver();
  }
  if (ts.isStringLiteralLike(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return valuesOf(src, node.expression);
  if (ts.isConditionalExpression(node))
    return [...valuesOf(src, node.whenTrue), ...valuesOf(src, node.whenFalse)];
  if (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      node.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return [...valuesOf(src, node.left), ...valuesOf(src, node.right)];
  if (ts.isTemplateExpression(node)) {
    // Every combination of the parts: `custody.${kind}_recorded` for each kind.
    let out = [node.head.text];
    for (const span of node.templateSpans) {
      const parts = valuesOf(src, span.expression);
      out = out.flatMap((start) => parts.map((part) => `${start}${part}${span.literal.text}`));
    }
    return out;
  }
  if (ts.isIdentifier(node)) {
    const literals = parameterLiterals(node);
    if (literals) return literals;
  }
  unresolved.push(`${where(src, node)}: ${node.getText(src.file)}`);
  return [];
}

// ---------------------------------------------------------------------------------------------
// What the server records

type Found = Map<string, Set<string>>;
const add = (found: Found, values: string[], at: string) => {
  for (const v of values) found.set(v, (found.get(v) ?? new Set()).add(at));
};

/** The object literals that become audit events: audit.record inputs, CSV exports, task reads. */
function auditInputs(): { src: Source; obj: ts.ObjectLiteralExpression }[] {
  const records = sources.flatMap((src) =>
    nodesOf(src.file, ts.isCallExpression)
      .filter((call) => calleeName(call) === 'record' && call.arguments.length === 3)
      .flatMap((call) => {
        const input = call.arguments[2]!;
        const owner = ts.isPropertyAccessExpression(call.expression)
          ? call.expression.expression.getText()
          : '';
        if (ts.isObjectLiteralExpression(input)) {
          // Services' own record(tx, ctx, body) methods take request bodies, not audit events.
          return property(input, 'action') || /audit$/i.test(owner) ? [{ src, obj: input }] : [];
        }
        if (/audit$/i.test(owner))
          unresolved.push(`${where(src, call)}: audit.record with a non-literal input`);
        return [];
      }),
  );
  const exports = callsOf('sendCsvExport').flatMap(({ src, call }) => {
    const arg = call.arguments[4];
    return arg && ts.isObjectLiteralExpression(arg) ? [{ src, obj: arg }] : [];
  });
  const reads = sources.flatMap((src) =>
    nodesOf(src.file, ts.isPropertyAssignment)
      .filter((p) => ts.isIdentifier(p.name) && p.name.text === 'readEvent')
      .flatMap((p) => (ts.isObjectLiteralExpression(p.initializer) ? [{ src, obj: p.initializer }] : [])),
  );
  return [...records, ...exports, ...reads];
}

/** The object literal a helper returns (`const taskTarget = (t) => ({ entityType: 'task', … })`). */
function helperObject(name: string): { src: Source; obj: ts.ObjectLiteralExpression } | undefined {
  for (const src of sources) {
    for (const d of nodesOf(src.file, ts.isVariableDeclaration)) {
      if (!ts.isIdentifier(d.name) || d.name.text !== name || !d.initializer) continue;
      if (!ts.isArrowFunction(d.initializer)) continue;
      let body = d.initializer.body;
      while (ts.isParenthesizedExpression(body)) body = body.expression;
      if (ts.isObjectLiteralExpression(body)) return { src, obj: body };
    }
  }
  return undefined;
}

/** A property of an audit input, written in it or brought by a spread helper (`...taskTarget(task)`). */
function inputProperty(src: Source, obj: ts.ObjectLiteralExpression, name: string): string[] {
  const own = property(obj, name);
  if (own) return valuesOf(src, own);
  for (const p of obj.properties) {
    if (!ts.isSpreadAssignment(p) || !ts.isCallExpression(p.expression)) continue;
    const helper = calleeName(p.expression);
    const found = helper ? helperObject(helper) : undefined;
    const value = found && property(found.obj, name);
    if (found && value) return valuesOf(found.src, value);
  }
  unresolved.push(`${where(src, obj)}: no ${name}`);
  return [];
}

/**
 * The record types access checks name: every object literal with an entityType that is not an audit
 * input is a target (of assertCanRead/assertCanWrite, AccessDenied, or a helper building one). The
 * audit module is left out: its entityType fields are the trail's own columns, read and filtered.
 */
function accessTargetTypes(): string[] {
  const inputs = new Set(auditInputs().map(({ obj }) => obj));
  return sources
    .filter((src) => !src.path.startsWith('modules/audit/'))
    .flatMap((src) =>
      nodesOf(src.file, ts.isObjectLiteralExpression)
        .filter((obj) => !inputs.has(obj))
        .flatMap((obj) => {
          const value = property(obj, 'entityType');
          return value ? valuesOf(src, value) : [];
        }),
    );
}

function scanServer() {
  const actions: Found = new Map();
  const entityTypes: Found = new Map();
  for (const { src, obj } of auditInputs()) {
    const at = where(src, obj);
    add(actions, inputProperty(src, obj, 'action'), at);
    add(entityTypes, inputProperty(src, obj, 'entityType'), at);
  }
  return { actions, entityTypes };
}

const recorded = scanServer();
const describeFound = (found: Found, values: string[]) =>
  values.map((v) => `${v} (${[...(found.get(v) ?? [])].join(', ')})`);

// ---------------------------------------------------------------------------------------------
// Labels

type Tree = { [key: string]: string | Tree };
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}
const labels = new Map(
  LANGUAGES.map((lang) => [
    lang,
    leaves(JSON.parse(readFileSync(join(I18N, lang, 'audit.json'), 'utf8')) as Tree),
  ]),
);

describe('the audit catalog', () => {
  it('follows every audit event the server records to its action and record type', () => {
    expect(unresolved, 'add a resolver, or write the action as a literal').toEqual([]);
    expect(
      Object.keys(RESOLVERS).filter((k) => !usedResolvers.has(k)),
      'resolvers for code that is gone',
    ).toEqual([]);
    // A scan that found almost nothing would agree with any catalog.
    expect(recorded.actions.size).toBeGreaterThan(80);
    expect(recorded.entityTypes.size).toBeGreaterThan(25);
  });

  it('lists every action the server records, and none that it does not', () => {
    const listed = new Set<string>(AUDIT_ACTIONS);
    const missing = [...recorded.actions.keys()].filter((a) => !listed.has(a)).sort();
    expect(describeFound(recorded.actions, missing), 'recorded, missing from the catalog').toEqual([]);
    expect(
      AUDIT_ACTIONS.filter((a) => !recorded.actions.has(a)),
      'in the catalog, recorded nowhere',
    ).toEqual([]);
  });

  it('lists every record type the server records, and none that it does not', () => {
    const listed = new Set<string>(AUDIT_ENTITY_TYPES);
    const missing = [...recorded.entityTypes.keys()].filter((e) => !listed.has(e)).sort();
    expect(describeFound(recorded.entityTypes, missing), 'recorded, missing from the catalog').toEqual([]);
    expect(
      AUDIT_ENTITY_TYPES.filter((e) => !recorded.entityTypes.has(e)),
      'in the catalog, recorded nowhere',
    ).toEqual([]);
  });

  it('names each module, action and record type once, actions as <record>.<verb>', () => {
    const twice = (list: readonly string[]) => list.filter((v, i) => list.indexOf(v) !== i);
    expect(twice(AUDIT_CATALOG.map((m) => m.module))).toEqual([]);
    expect(twice(AUDIT_ACTIONS)).toEqual([]);
    expect(twice(AUDIT_ENTITY_TYPES)).toEqual([]);
    expect(AUDIT_ACTIONS.filter((a) => !/^[a-z_]+\.[a-z_]+$/.test(a))).toEqual([]);
  });

  it('has a label for every module, action and record type in every language', () => {
    const keys = [
      ...AUDIT_CATALOG.map((m) => auditModuleLabelKey(m.module)),
      ...AUDIT_ACTIONS.map(auditActionLabelKey),
      ...AUDIT_ENTITY_TYPES.map(auditEntityTypeLabelKey),
    ];
    for (const lang of LANGUAGES) {
      const catalog = labels.get(lang)!;
      expect(
        keys.filter((k) => !catalog.get(k)?.trim()),
        `${lang}/audit.json`,
      ).toEqual([]);
    }
  });

  it('keeps no label for a module, action or record type the catalog lacks', () => {
    const keys = new Set([
      ...AUDIT_CATALOG.map((m) => auditModuleLabelKey(m.module)),
      ...AUDIT_ACTIONS.map(auditActionLabelKey),
      ...AUDIT_ENTITY_TYPES.map(auditEntityTypeLabelKey),
    ]);
    const stale = [...labels.get('en')!.keys()].filter(
      (k) => /^(modules|actions|entityTypes)\./.test(k) && !keys.has(k),
    );
    expect(stale).toEqual([]);
  });
});
