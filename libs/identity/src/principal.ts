import type { ApiRole } from './roles.js';

/** Who is asking: a department's credential, or the public. */
export type Principal =
  | {
      kind: 'department';
      keyId: string;
      departmentId: string;
      departmentCode: string;
      role: ApiRole;
    }
  | { kind: 'public' };

export const PUBLIC: Principal = { kind: 'public' };
