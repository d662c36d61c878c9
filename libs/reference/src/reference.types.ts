/** Read models of the reference data, as other libs and the gateway see them. */

export type LinkageRole = 'LEADING' | 'PARTICIPATING' | 'WORKING_GROUP' | 'INFORMATION_CENTER' | 'LEADING_GROUP_OFFICE' | 'AGENCY' | 'OTHER';

export interface Jurisdiction {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
}

export interface Department {
  id: string;
  code: string;
  name: string;
  shortName: string;
  aliases: string[];
  jurisdictionCode: string;
  linkageRole: LinkageRole;
}

export interface Category {
  code: string;
  name: string;
  nameEn: string;
}

export interface SupportMethod {
  code: string;
  name: string;
  nameEn: string;
}

export interface SubFund {
  id: string;
  fundId: string;
  code: string;
  number: number;
  name: string;
  /** The classification table's category; none for sub-funds of other data sources. */
  categoryCode: string | null;
}

export interface Fund {
  id: string;
  code: string;
  name: string;
  shortName: string;
  departmentId: string;
  jurisdictionCode: string;
  usesCatalog: boolean;
  /** Limits and payment plan, as data (see the registry's fund rules). */
  rules: Record<string, unknown>;
  subFunds: SubFund[];
}

export interface CatalogItem {
  code: string;
  number: number;
  name: string;
  fieldCode: string;
}

export interface Catalog {
  code: string;
  name: string;
  jurisdictionCode: string;
  fields: { code: string; name: string }[];
  items: CatalogItem[];
}
