import { Catch } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import type { GraphQLError } from 'graphql';
import { DomainError } from '#shared/core/index.js';
import { domainErrorToGraphQL } from './error-mapping.js';

/** Domain errors are answers, not crashes: turn them into GraphQL errors without logging them as failures. */
@Catch(DomainError)
export class DomainExceptionFilter implements GqlExceptionFilter {
  catch(err: DomainError): GraphQLError {
    return domainErrorToGraphQL(err);
  }
}
