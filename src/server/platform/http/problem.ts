import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type FieldError, problems } from '../errors.ts';

/** RFC 9457 problem document. `code` is the stable contract; `type` resolves to its documentation. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Database uniqueness rules with their own problem code. */
const UNIQUE_CONSTRAINTS: Record<string, AppError> = {
  licences_one_active_per_tier: new AppError(
    409,
    'licensing.duplicate_active_licence',
    'The holder already has an active licence of this tier.',
  ),
  licence_fee_payments_reference: new AppError(
    409,
    'fees.duplicate_reference',
    'This payment reference has already been recorded.',
  ),
  licence_applications_one_open_renewal: new AppError(
    409,
    'licensing.renewal_pending',
    'A renewal of this licence is already in progress.',
  ),
  users_phone_key: new AppError(409, 'user.phone_taken', 'An account with this phone number already exists.'),
};

const LOCATION: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/** Maps what fastify and zod reject before a handler runs onto our stable codes. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = LOCATION[(error as { validationContext?: string }).validationContext ?? 'body'] ?? 'body';
    const fieldErrors: FieldError[] = [];
    for (const v of error.validation) {
      const base = `${where}${v.instancePath.replace(/\//g, '.')}`.replace(/\.$/, '');
      if (v.keyword === 'unrecognized_keys') {
        const keys = (v.params as { keys?: string[] }).keys ?? [];
        for (const key of keys) {
          fieldErrors.push({
            path: `${base}.${key}`,
            code: 'unknown_field',
            message: `${key} is not a known field.`,
          });
        }
      } else {
        fieldErrors.push({ path: base, code: v.keyword, message: v.message ?? 'invalid' });
      }
    }
    if (where === 'path' && fieldErrors.length > 0)
      return problems.invalidId(fieldErrors[0]!.path.replace(/^path\./, ''));
    if (fieldErrors.length > 0 && fieldErrors.every((f) => f.code === 'unknown_field')) {
      return new AppError(
        400,
        'request.unknown_field',
        'The request has fields this endpoint does not accept.',
        {
          errors: fieldErrors,
        },
      );
    }
    return problems.validation(fieldErrors);
  }
  // A uniqueness rule the database enforces under concurrency (two requests racing past the
  // service's own check) answers as the service would have: a conflict, not a server error.
  const pgError = error as { code?: unknown; constraint?: unknown };
  if (pgError.code === '23505') {
    const known = typeof pgError.constraint === 'string' ? UNIQUE_CONSTRAINTS[pgError.constraint] : undefined;
    return (
      known ??
      new AppError(
        409,
        'resource.conflict',
        'This conflicts with a record saved at the same moment. Reload and try again.',
      )
    );
  }
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problems.malformedJson();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problems.bodyTooLarge(0);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problems.unsupportedMediaType();
    case 'FST_ERR_NOT_FOUND':
      return new AppError(404, 'route.not_found', 'There is no such endpoint.');
  }
  if (fe instanceof SyntaxError && fe.statusCode === 400) return problems.malformedJson();
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode, 'request.invalid', 'The request could not be processed.');
  }
  return new AppError(500, 'server.internal', 'Something went wrong on the server. It has been logged.');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const { errors, ...extensions } = err.extra;
  const body: ProblemDocument = {
    type: `https://openasm.org/problems/${err.code}`,
    title: err.message,
    status: err.status,
    detail: err.message,
    code: err.code,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
    ...extensions,
    ...(errors ? { errors } : {}),
  };
  if (err.status === 429 && typeof extensions.retryAfterSeconds === 'number') {
    reply.header('retry-after', String(extensions.retryAfterSeconds));
  }
  if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="openasm"');
  return reply.status(err.status).type('application/problem+json').send(body);
}
