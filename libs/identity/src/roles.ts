import type { Department, LinkageRole } from '#reference';

/**
 * What a credential may do. A key belongs to one department and carries one role.
 * - STAFF: a funding department's staff: reads the shared registry, changes its own projects.
 * - LEADING: the leading department: also convenes consultations and compiles the annual report.
 * - INFORMATION_CENTER: the platform operator: integration, imports for any department.
 * - READER: working-group members and the leading-group office (finance, development-reform): read everything, change nothing.
 * Without a key a request is PUBLIC: reference data and public records only.
 */
export enum ApiRole {
  STAFF = 'STAFF',
  LEADING = 'LEADING',
  INFORMATION_CENTER = 'INFORMATION_CENTER',
  READER = 'READER',
}

export const DEFAULT_ROLE: Record<LinkageRole, ApiRole> = {
  LEADING: ApiRole.LEADING,
  PARTICIPATING: ApiRole.STAFF,
  WORKING_GROUP: ApiRole.READER,
  INFORMATION_CENTER: ApiRole.INFORMATION_CENTER,
  LEADING_GROUP_OFFICE: ApiRole.READER,
  // A third-party agency manages the projects its departments delegate to it.
  AGENCY: ApiRole.STAFF,
  OTHER: ApiRole.STAFF,
};

/** Roles a department may be given keys for: its default, or fewer powers (reader). */
export function allowedRoles(department: Pick<Department, 'linkageRole'>): ApiRole[] {
  const own = DEFAULT_ROLE[department.linkageRole];
  const roles = new Set<ApiRole>([own, ApiRole.READER]);
  if (own === ApiRole.LEADING) roles.add(ApiRole.STAFF); // the leading department also funds its own projects
  return [...roles];
}

export function parseRole(value: string): ApiRole | undefined {
  const v = value.trim().toUpperCase().replace(/-/g, '_');
  return (Object.values(ApiRole) as string[]).includes(v) ? (v as ApiRole) : undefined;
}
