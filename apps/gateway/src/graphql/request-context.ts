import type { Request } from 'express';
import type { Principal } from '#identity';
import { UnauthenticatedError } from '#shared/core/index.js';

/** What every resolver gets in its GraphQL context. */
export interface RequestContext {
  req: Request;
  principal: Principal;
}

/** The credential a request presents: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return m ? m[1] : auth.trim();
  }
  const header = req.headers['x-api-key'];
  const key = Array.isArray(header) ? header[0] : header;
  return key && key.trim() ? key.trim() : undefined;
}

/** The department a request acts for, as the domain services take it; without a department key, UNAUTHENTICATED. */
export function departmentCaller(ctx: RequestContext, message = 'This needs a department API key: send it as "Authorization: Bearer <key>".') {
  const p = ctx.principal;
  if (p.kind !== 'department') throw new UnauthenticatedError(message);
  return { departmentId: p.departmentId, departmentCode: p.departmentCode, role: p.role, apiKeyId: p.keyId };
}
