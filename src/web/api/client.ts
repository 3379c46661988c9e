import { uuidv7 } from '../../shared/ids.ts';

/** A field error as the server reports it (problem+json `errors`). */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/**
 * An answer that is not 2xx, carrying the server's stable problem code. Screens translate the code
 * (namespace "errors"), never show the server's English text as is.
 */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly errors: FieldProblem[] = [],
    public readonly body: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class NetworkError extends Error {
  constructor() {
    super('network unavailable');
    this.name = 'NetworkError';
  }
}

type Listener = (error: ApiError) => void;
const sessionListeners = new Set<Listener>();

/** Called when the server says the session ended: the app sends the user to sign in, then back. */
export function onSessionEnded(listener: Listener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** For updates: the ETag read earlier (sent as If-Match). */
  ifMatch?: string;
  /** For POSTs: reuse a key when retrying the same submission; a new one is made otherwise. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  status: number;
}

const SESSION_CODES = new Set(['auth.session_expired', 'auth.unauthenticated']);

/** Every API call goes through here: JSON in and out, the session cookie, problem+json errors. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  if (method === 'POST') headers['idempotency-key'] = options.idempotencyKey ?? uuidv7();
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new NetworkError();
  }
  const type = res.headers.get('content-type') ?? '';
  const payload = type.includes('json') ? await res.json().catch(() => ({})) : await res.text();
  if (!res.ok) {
    const p = (typeof payload === 'object' && payload ? payload : {}) as Record<string, unknown>;
    const error = new ApiError(
      res.status,
      typeof p.code === 'string' ? p.code : `http.${res.status}`,
      typeof p.title === 'string' ? p.title : res.statusText,
      Array.isArray(p.errors) ? (p.errors as FieldProblem[]) : [],
      p,
    );
    // '/me' is how the app learns whether anyone is signed in: its 401 is an answer, not an ending.
    if (res.status === 401 && SESSION_CODES.has(error.code) && path !== '/auth/login' && path !== '/me') {
      for (const listener of sessionListeners) listener(error);
    }
    throw error;
  }
  return { data: payload as T, etag: res.headers.get('etag'), status: res.status };
}

/** GET shortcut for queries. */
export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await api<T>(path, { signal })).data;
}

/** Builds a query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
