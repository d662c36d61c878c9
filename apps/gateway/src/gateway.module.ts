import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import depthLimit from 'graphql-depth-limit';
import type { Request } from 'express';
import { ApiKeyService, IdentityModule, PUBLIC, type Principal } from '#identity';
import { PlatformModule, type PlatformOptions } from '#platform';
import { DomainError } from '#shared/core/index.js';
import { RoleGuard } from './graphql/auth.guard.js';
import { DomainExceptionFilter } from './graphql/domain-exception.filter.js';
import { ComplexityPlugin } from './graphql/complexity.plugin.js';
import { domainErrorToGraphQL, formatGraphQLError } from './graphql/error-mapping.js';
import { MutationAuthPlugin } from './graphql/mutation-auth.plugin.js';
import { presentedKey, type RequestContext } from './graphql/request-context.js';
import { HealthController } from './health/health.controller.js';
import { JobsResolver } from './jobs/jobs.resolver.js';
import { ReferenceResolver } from './reference/reference.resolver.js';
import { RegistryResolver } from './registry/registry.resolver.js';
import { IntegrationResolver } from './integration/integration.resolver.js';
import { ViewerResolver } from './viewer/viewer.resolver.js';
import { DedupResolver, ProjectDuplicatesResolver } from './dedup/dedup.resolver.js';
import { CreditResolver, ProjectCreditResolver } from './credit/credit.resolver.js';
import { PaymentsResolver } from './registry/payments.resolver.js';
import { TasksResolver } from './consultation/tasks.resolver.js';
import { MeetingsResolver } from './consultation/meetings.resolver.js';
import { ConsultationRequestsResolver, ProjectConsultationResolver } from './consultation/requests.resolver.js';
import { ReportResolver } from './report/report.resolver.js';

/** Every resolver of the API (also used to print the committed schema file). */
export const RESOLVERS = [ReferenceResolver, ViewerResolver, JobsResolver, RegistryResolver, IntegrationResolver, DedupResolver, ProjectDuplicatesResolver, CreditResolver, ProjectCreditResolver, PaymentsResolver, TasksResolver, MeetingsResolver, ConsultationRequestsResolver, ProjectConsultationResolver, ReportResolver];

/** The GraphQL gateway: the one API the departments use. */
@Module({})
export class GatewayModule {
  static forRoot(opts: Omit<PlatformOptions, 'processJobs'>): DynamicModule {
    const { config } = opts;
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ ...opts, processJobs: false }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [IdentityModule],
          inject: [ApiKeyService],
          useFactory: (keys: ApiKeyService): ApolloDriverConfig => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            playground: false,
            graphiql: config.graphql.playground,
            introspection: true,
            includeStacktraceInErrorResponses: false,
            validationRules: [depthLimit(config.graphql.maxDepth)],
            formatError: formatGraphQLError,
            context: async ({ req }: { req: Request }): Promise<RequestContext> => {
              const key = presentedKey(req);
              if (!key) return { req, principal: PUBLIC };
              let principal: Principal;
              try {
                principal = await keys.authenticate(key);
              } catch (err) {
                throw err instanceof DomainError ? domainErrorToGraphQL(err) : err;
              }
              return { req, principal };
            },
          }),
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: RoleGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        ComplexityPlugin,
        MutationAuthPlugin,
        ...RESOLVERS,
      ],
    };
  }
}
