import { HttpException } from '@nestjs/common';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '#shared/core/index.js';

/**
 * Every domain error code, mapped once to what the API shows. The Record type makes the
 * compiler flag a code added to ErrorCode and not mapped here.
 */
const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.VALIDATION_FAILED]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.INVALID_CODE]: 400,
  [ErrorCode.INVALID_TRANSITION]: 409,
  [ErrorCode.RULE_VIOLATION]: 422,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL]: 500,
};

/** Apollo's own codes for failures before a resolver runs (parse, validation, limits). */
const GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'QUERY_TOO_COMPLEX',
  'UNAUTHENTICATED',
]);

const DOMAIN_CODES = new Set<string>(Object.values(ErrorCode));

export function domainErrorToGraphQL(err: DomainError): GraphQLError {
  return new GraphQLError(err.message, {
    extensions: { ...err.details, code: err.code, http: { status: HTTP_STATUS[err.code] } },
  });
}

function findDomainError(err: unknown): DomainError | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof DomainError) return cur;
    cur = (cur as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/** Apollo `formatError`: domain errors keep their code and details; anything unexpected is INTERNAL, without internals. */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const domain = findDomainError(error);
  if (domain) {
    return { message: domain.message, locations: formatted.locations, path: formatted.path, extensions: { ...domain.details, code: domain.code } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (GRAPHQL_CODES.has(code) || DOMAIN_CODES.has(code))) {
    const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const original = (error as { originalError?: unknown }).originalError;
  if (original instanceof HttpException && original.getStatus() < 500) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.VALIDATION_FAILED } };
  }
  return {
    message: 'Internal error; the operator can find the details in the gateway log.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL },
  };
}
