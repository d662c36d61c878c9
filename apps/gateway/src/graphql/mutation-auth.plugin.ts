import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { GraphQLError } from 'graphql';
import type { RequestContext } from './request-context.js';

/** Every mutation needs a department credential: refused as a whole before any resolver runs. */
@Plugin()
export class MutationAuthPlugin implements ApolloServerPlugin<RequestContext> {
  async requestDidStart(): Promise<GraphQLRequestListener<RequestContext>> {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (operation?.operation === 'mutation' && contextValue.principal.kind !== 'department') {
          throw new GraphQLError('Changes need a department API key: send it as "Authorization: Bearer <key>".', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
      },
    };
  }
}
