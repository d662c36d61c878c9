import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ForbiddenError, UnauthenticatedError } from '#shared/core/index.js';
import type { ApiRole, Principal } from '#identity';
import type { RequestContext } from './request-context.js';

const ROLES = 'linkage:roles';

/** Needs a department credential; with roles given, one of them. */
export const RequireRole = (...roles: ApiRole[]) => SetMetadata(ROLES, roles);

@Injectable()
export class RoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (roles === undefined) return true;
    const principal = GqlExecutionContext.create(context).getContext<RequestContext>().principal;
    if (principal.kind !== 'department') throw new UnauthenticatedError('This needs a department API key: send it as "Authorization: Bearer <key>".');
    if (roles.length > 0 && !roles.includes(principal.role)) {
      throw new ForbiddenError(`Role ${principal.role} may not do this; it needs ${roles.join(' or ')}.`);
    }
    return true;
  }
}

/** The principal of the current request, for resolvers. */
export function principalOf(ctx: RequestContext): Principal {
  return ctx.principal;
}
