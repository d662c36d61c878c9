/**
 * Error codes the platform speaks. Domain code throws DomainError with one of these;
 * the gateway maps each to a GraphQL error once (apps/gateway/src/graphql/error-mapping.ts),
 * and the worker treats the permanent ones as not worth retrying.
 * Codes are part of the API: never rename one.
 */
export enum ErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  INVALID_CODE = 'INVALID_CODE',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  RULE_VIOLATION = 'RULE_VIOLATION',
  UNAVAILABLE = 'UNAVAILABLE',
  INTERNAL = 'INTERNAL',
}

/** One problem with one field of an input. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** Whether running the same work again could succeed (a queue retries only these). */
  get retryable(): boolean {
    return this.code === ErrorCode.UNAVAILABLE || this.code === ErrorCode.INTERNAL;
  }
}

export class ValidationError extends DomainError {
  constructor(public readonly problems: FieldProblem[]) {
    super(
      ErrorCode.VALIDATION_FAILED,
      problems.map((p) => `${p.field}: ${p.reason}`).join('; '),
      { problems },
    );
    this.name = 'ValidationError';
  }

  static field(field: string, reason: string): ValidationError {
    return new ValidationError([{ field, reason }]);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, key: string) {
    super(ErrorCode.NOT_FOUND, `${what} "${key}" does not exist`, { what, key });
    this.name = 'NotFoundError';
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
    this.name = 'ForbiddenError';
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
    this.name = 'UnauthenticatedError';
  }
}

/** True for errors that will fail the same way however often the work is retried. */
export function isPermanentError(err: unknown): boolean {
  return err instanceof DomainError && !err.retryable;
}
