import type { Request } from 'express';
import type { Principal } from '#identity';

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
