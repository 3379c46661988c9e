import {
  type InputHTMLAttributes,
  type ReactNode,
  type RefObject,
  type SelectHTMLAttributes,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { uuidv7 } from '../../shared/ids.ts';
import { ApiError, NetworkError } from '../api/client.ts';

/**
 * Accessible forms validated with the same zod schemas as the server. A field's error is kept as a
 * code (a zod issue code, or the code of a server field problem) and translated when shown, so it
 * follows a change of language; the text comes from the "forms" namespace, the form-level problem
 * from "errors".
 */

/** Why a field was refused: a code of the "forms" namespace and the values its text needs. */
export interface FieldIssue {
  code: string;
  params?: Record<string, string | number>;
}

/** A message for the whole form: a key (with namespace) and its values. */
interface FormProblem {
  key: string;
  /** Field problems of the server that belong to no field of this form. */
  details: FieldIssue[];
}

/** Codes whose text needs no value: a server field problem carries a code and no limits. */
const PLAIN_CODES = new Set([
  'required',
  'invalid_format',
  'invalid_type',
  'invalid_value',
  'unknown_field',
  'unknown_area',
  'unknown_role',
  'unknown_permission',
  'phone_taken',
]);

function lastSegment(path: string): string {
  const parts = path.split('.').filter((p) => !/^\d+$/.test(p));
  return parts[parts.length - 1] ?? path;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** What a zod issue means for the person filling the form. */
export function issueOf(issue: z.core.$ZodIssue, input: unknown): FieldIssue {
  const value = valueAt(input, issue.path);
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return { code: 'required' };
  }
  switch (issue.code) {
    case 'too_small':
      return {
        code: issue.origin === 'string' ? 'too_small' : 'too_small_number',
        params: { minimum: Number(issue.minimum) },
      };
    case 'too_big':
      return {
        code: issue.origin === 'string' ? 'too_big' : 'too_big_number',
        params: { maximum: Number(issue.maximum) },
      };
    case 'invalid_format':
    case 'invalid_type':
    case 'invalid_value':
      return { code: issue.code };
    default:
      return { code: 'invalid' };
  }
}

/**
 * Translates a field issue: first a text for this field ("forms:fields.phone.invalid_format"),
 * then the general one ("forms:codes.invalid_format"), then a plain "not valid".
 */
export function useIssueText(): (field: string, issue: FieldIssue | undefined) => string | undefined {
  const { t } = useTranslation('forms');
  return useCallback(
    (field: string, issue: FieldIssue | undefined) => {
      if (!issue) return undefined;
      const needsParams = !PLAIN_CODES.has(issue.code) && !issue.params;
      const code = needsParams ? 'invalid' : issue.code;
      return t([`forms:fields.${lastSegment(field)}.${code}`, `forms:codes.${code}`, 'forms:codes.invalid'], {
        ...issue.params,
      });
    },
    [t],
  );
}

type StringKeys<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

export interface ZodFormOptions<V> {
  /** Turns the form's values into the request body the schema checks (trims, drops empty optionals). */
  toInput?: (values: V) => unknown;
  /**
   * Which form field shows an error at a schema path ('assignments.0.areaId'): null when none does
   * (the error joins the form's alert), undefined for the default: the path itself, or its first
   * segment, when that is a field of the form.
   */
  fieldOf?: (path: string) => string | null | undefined;
}

export interface ZodForm<S extends z.ZodType, V extends Record<string, unknown>> {
  values: V;
  setField<K extends keyof V & string>(key: K, value: V[K]): void;
  /** Replaces every value and forgets the errors (after a reload, or to start again). */
  reset(values?: V): void;
  /** Field issues by form field. */
  errors: Partial<Record<string, FieldIssue>>;
  /** The translated error of a field, or undefined. */
  error(field: string): string | undefined;
  /** The translated problem of the whole form, shown in a role="alert" region (FormError). */
  formError: ReactNode;
  setFormError(key: string | null): void;
  /** Checks the values with the schema; on failure shows the errors, moves focus to the first one. */
  validate(): z.output<S> | null;
  /** Shows a failed request: field problems beside their fields, the rest in the form's alert. */
  applyServerErrors(error: unknown): void;
  /** Props for a TextField or SelectField bound to a string field. */
  bind(key: StringKeys<V>): { name: string; value: string; onChange(value: string): void; error?: string };
  /** Give to the <form>: focus goes to the first invalid control inside it. */
  formRef: RefObject<HTMLFormElement | null>;
}

/** Maps a server path ('body.assignments.0.areaId') onto the schema path ('assignments.0.areaId'). */
function schemaPath(serverPath: string): string {
  return serverPath.replace(/^body\.?/, '');
}

export function useZodForm<S extends z.ZodType, V extends Record<string, unknown>>(
  schema: S,
  initial: V,
  options: ZodFormOptions<V> = {},
): ZodForm<S, V> {
  const { t } = useTranslation(['forms', 'errors']);
  const issueText = useIssueText();
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<Partial<Record<string, FieldIssue>>>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const valuesRef = useRef(values);
  valuesRef.current = values;

  // After errors are shown, the first invalid control gets the focus, so a keyboard or screen
  // reader user lands on what needs correcting.
  useEffect(() => {
    if (focusRequest === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.focus();
  }, [focusRequest]);

  const fieldFor = useCallback((path: string): string | null => {
    const custom = optionsRef.current.fieldOf?.(path);
    if (custom !== undefined) return custom;
    if (path in valuesRef.current) return path;
    const head = path.split('.')[0] ?? '';
    return head in valuesRef.current ? head : null;
  }, []);

  const setField = useCallback(<K extends keyof V & string>(key: K, value: V[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => {
      if (!e[key]) return e;
      const { [key]: _, ...rest } = e;
      return rest as Partial<Record<string, FieldIssue>>;
    });
  }, []);

  const reset = useCallback(
    (next?: V) => {
      setValues(next ?? initial);
      setErrors({});
      setProblem(null);
    },
    [initial],
  );

  const validate = useCallback((): z.output<S> | null => {
    const input = optionsRef.current.toInput
      ? optionsRef.current.toInput(valuesRef.current)
      : valuesRef.current;
    const parsed = schema.safeParse(input);
    if (parsed.success) {
      setErrors({});
      setProblem(null);
      return parsed.data;
    }
    const next: Partial<Record<string, FieldIssue>> = {};
    const unplaced: FieldIssue[] = [];
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      const field = fieldFor(path);
      const fi = issueOf(issue, input);
      if (field === null) unplaced.push(fi);
      else next[field] ??= fi;
    }
    setErrors(next);
    setProblem({ key: 'forms:summary', details: unplaced });
    setFocusRequest((n) => n + 1);
    return null;
  }, [schema, fieldFor]);

  const applyServerErrors = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) {
        const next: Partial<Record<string, FieldIssue>> = {};
        const unplaced: FieldIssue[] = [];
        for (const fe of error.errors) {
          const field = fieldFor(schemaPath(fe.path));
          const fi: FieldIssue = { code: fe.code };
          if (field === null) unplaced.push(fi);
          else next[field] ??= fi;
        }
        setErrors(next);
        setProblem({ key: `errors:${error.code}`, details: unplaced });
        if (Object.keys(next).length > 0) setFocusRequest((n) => n + 1);
      } else if (error instanceof NetworkError) {
        setProblem({ key: 'errors:network', details: [] });
      } else {
        setProblem({ key: 'errors:unknown', details: [] });
      }
    },
    [fieldFor],
  );

  const setFormError = useCallback((key: string | null) => {
    setProblem(key ? { key, details: [] } : null);
  }, []);

  const error = useCallback((field: string) => issueText(field, errors[field]), [errors, issueText]);

  const formError = useMemo<ReactNode>(() => {
    if (!problem) return null;
    const main = t(problem.key, { defaultValue: t('errors:unknown') });
    if (problem.details.length === 0) return main;
    return (
      <>
        {main}
        <ul>
          {problem.details.map((d, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, shown once
            <li key={i}>{issueText('', d)}</li>
          ))}
        </ul>
      </>
    );
  }, [problem, t, issueText]);

  const bind = useCallback(
    (key: StringKeys<V>) => {
      const message = error(key);
      return {
        name: key,
        value: values[key] as string,
        onChange: (value: string) => setField(key, value as V[typeof key]),
        ...(message ? { error: message } : {}),
      };
    },
    [values, error, setField],
  );

  return {
    values,
    setField,
    reset,
    errors,
    error,
    formError,
    setFormError,
    validate,
    applyServerErrors,
    bind,
    formRef,
  };
}

/**
 * A fresh Idempotency-Key for each new submission, the same one when the same data is sent again
 * (a retry after a network failure), so the server applies it once.
 */
export function useIdempotencyKey(): (body: unknown) => string {
  const last = useRef<{ body: string; key: string } | null>(null);
  return useCallback((body: unknown) => {
    const json = JSON.stringify(body);
    if (last.current?.body !== json) last.current = { body: json, key: uuidv7() };
    return last.current.key;
  }, []);
}

/** The form's own problem, announced by screen readers when it appears. */
export function FormError({ children, id }: { children: ReactNode; id?: string }) {
  // The region is always there, so a change of its text is announced as well as its appearance.
  return (
    <div id={id} role="alert" className={children ? 'form-error' : undefined}>
      {children}
    </div>
  );
}

interface FieldFrameProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** Shows "(optional)" after the label: required is the norm, optional is said. */
  optional?: boolean;
  className?: string;
}

function useFieldIds(id: string | undefined, hint: ReactNode, error: string | undefined) {
  const auto = useId();
  const controlId = id ?? auto;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errorId = error ? `${controlId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return { controlId, hintId, errorId, describedBy };
}

function FieldFrame({
  label,
  hint,
  error,
  optional,
  className,
  ids,
  children,
}: FieldFrameProps & { ids: ReturnType<typeof useFieldIds>; children: ReactNode }) {
  const { t } = useTranslation('forms');
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={ids.controlId}>
        {label}
        {optional && <span className="hint"> {t('forms:optional')}</span>}
      </label>
      {hint && (
        <p id={ids.hintId} className="hint">
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p id={ids.errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export type TextFieldProps = FieldFrameProps &
  Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'children'> & {
    value: string;
    onChange(value: string): void;
  };

/** A labelled text input with its hint and error, tied to it for assistive technology. */
export function TextField({
  label,
  hint,
  error,
  optional,
  className,
  id,
  value,
  onChange,
  ...input
}: TextFieldProps) {
  const ids = useFieldIds(id, hint, error);
  return (
    <FieldFrame label={label} hint={hint} error={error} optional={optional} className={className} ids={ids}>
      <input
        type="text"
        {...input}
        id={ids.controlId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedBy}
      />
    </FieldFrame>
  );
}

export interface SelectOption {
  value: string;
  label: string;
  /** Language of the label, when it is not the interface's (a language named in itself). */
  lang?: string;
  disabled?: boolean;
}

export type SelectFieldProps = FieldFrameProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'> & {
    value: string;
    onChange(value: string): void;
    options: readonly SelectOption[];
    /** The first, empty choice ("Choose a role", "All"). */
    placeholder?: string;
  };

/** A labelled select with its hint and error. */
export function SelectField({
  label,
  hint,
  error,
  optional,
  className,
  id,
  value,
  onChange,
  options,
  placeholder,
  ...select
}: SelectFieldProps) {
  const ids = useFieldIds(id, hint, error);
  return (
    <FieldFrame label={label} hint={hint} error={error} optional={optional} className={className} ids={ids}>
      <select
        {...select}
        id={ids.controlId}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.describedBy}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value} lang={o.lang} disabled={o.disabled}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
