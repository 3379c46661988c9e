/**
 * Typed errors with stable codes. Services throw them; the HTTP layer maps them once to RFC 9457
 * problem+json. The code is the contract with clients (the web client translates it); the detail
 * is for people and never contains SQL, stack traces or personal data.
 */
export interface FieldError {
  /** JSON pointer-ish path into the request: 'body.phone', 'query.limit'. */
  path: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly extra: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new AppError(400, 'request.validation_failed', 'The request has invalid fields.', { errors }),
  malformedJson: () => new AppError(400, 'request.malformed_json', 'The request body is not valid JSON.'),
  unsupportedMediaType: () =>
    new AppError(415, 'request.unsupported_media_type', 'Send the body as application/json.'),
  bodyTooLarge: (limit: number) =>
    new AppError(413, 'request.body_too_large', `The request body is larger than ${limit} bytes.`, { limit }),
  invalidId: (name: string) => new AppError(400, 'request.invalid_id', `${name} is not a valid id.`),
  unauthenticated: () => new AppError(401, 'auth.unauthenticated', 'Sign in to continue.'),
  sessionExpired: () => new AppError(401, 'auth.session_expired', 'Your session has ended. Sign in again.'),
  invalidToken: () => new AppError(401, 'auth.invalid_token', 'The access token is not valid.'),
  invalidCredentials: () =>
    new AppError(401, 'auth.invalid_credentials', 'The phone number or password is not right.'),
  throttled: (retryAfterSeconds: number) =>
    new AppError(429, 'auth.throttled', 'Too many attempts. Wait before trying again.', {
      retryAfterSeconds,
    }),
  accountDisabled: () => new AppError(403, 'auth.account_disabled', 'This account is disabled.'),
  forbidden: () => new AppError(403, 'access.forbidden', 'You are not allowed to do this.'),
  outsideJurisdiction: () =>
    new AppError(403, 'access.outside_jurisdiction', 'This record is outside the areas you serve.'),
  notFound: (entity: string) => new AppError(404, 'resource.not_found', `${entity} not found.`, { entity }),
  conflict: (code: string, message: string, extra: Record<string, unknown> = {}) =>
    new AppError(409, code, message, extra),
  idempotencyKeyReused: () =>
    new AppError(
      422,
      'idempotency.key_reused',
      'This Idempotency-Key was already used with a different request.',
    ),
  idempotencyInProgress: () =>
    new AppError(
      409,
      'idempotency.in_progress',
      'A request with this Idempotency-Key is still being processed.',
    ),
  idempotencyKeyInvalid: () =>
    new AppError(400, 'idempotency.key_invalid', 'Idempotency-Key must be 1 to 255 visible characters.'),
  preconditionRequired: () =>
    new AppError(428, 'precondition.required', 'Send If-Match with the ETag you last read.'),
  preconditionFailed: () =>
    new AppError(412, 'precondition.failed', 'The record changed since you read it. Reload and try again.'),
  invalidCursor: () => new AppError(400, 'request.invalid_cursor', 'The page cursor is not valid.'),
  notAcceptable: () => new AppError(406, 'request.not_acceptable', 'That format is not available here.'),
};
