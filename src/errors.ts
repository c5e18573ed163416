// The application's error types: one AppError with a string code and a cause, and the few kinds the app tells apart.

/** Base of every error the app raises on purpose; `code` is stable and safe to show to users. */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A setting or the config file is wrong; `problems` names each bad key and what it expects. */
export class ConfigError extends AppError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super('config_invalid', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

/** Input from outside (webhook, Slack payload, CLI argument, file) that does not have the expected shape. */
export class ValidationError extends AppError {
  readonly issues: string[];
  constructor(message: string, issues: string[] = [], options?: { cause?: unknown }) {
    super('validation_failed', issues.length ? `${message}: ${issues.join('; ')}` : message, options);
    this.issues = issues;
  }
}

/** The request was authenticated but its author may not do this (or its signature/token was wrong). */
export class UnauthorizedError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unauthorized', message, options);
  }
}

/** Someone tried to do what policy does not allow them to do; the message is shown to them. */
export class ForbiddenError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('forbidden', message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, options?: { cause?: unknown }) {
    super('not_found', `${what} not found`, options);
  }
}

/** A state change that conflicts with the current state (already resolved, remediation in flight, ...). */
export class ConflictError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** An outside service failed; adapters turn vendor errors into this. */
export class ExternalServiceError extends AppError {
  readonly service: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(
    service: string,
    message: string,
    opts: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super('external_service_failed', `${service}: ${message}`, { cause: opts.cause });
    this.service = service;
    this.retryable = opts.retryable ?? true;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/**
 * How one attempt of a job's call to another service ended: the message to tell people, and whether it was the last
 * (a permanent error, or `attempts` spent); a retryable error with attempts left is thrown again by the job.
 */
export function failedAttempt(err: unknown, attempt: number, attempts: number): { message: string; last: boolean } {
  const retryable = err instanceof ExternalServiceError && err.retryable;
  return { message: err instanceof Error ? err.message : String(err), last: !retryable || attempt >= attempts };
}

/** A job payload or job state that can never succeed: the queue fails it for good instead of retrying. */
export class PermanentJobError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('job_permanent_failure', message, options);
  }
}

/** Turns zod issues into "path: message" lines. */
export function formatZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string[] {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
}

/**
 * An outside service asked us to wait (HTTP 429 with Retry-After): a schedule, not a failure. The job runner moves
 * the job to `retryAfterMs` from now without spending one of its attempts.
 */
export class RateLimitedError extends ExternalServiceError {
  declare readonly retryAfterMs: number;
  constructor(service: string, message: string, opts: { retryAfterMs: number; cause?: unknown }) {
    super(service, message, { retryable: true, retryAfterMs: opts.retryAfterMs, cause: opts.cause });
  }
}
