import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('jurisdiction')
export class JurisdictionEntity {
  @PrimaryColumn('char', { length: 6 }) code!: string;
  @Column('text') name!: string;
  @Column('text') level!: string;
  @Column('char', { name: 'parent_code', length: 6, nullable: true }) parentCode!: string | null;
}

@Entity('department')
export class DepartmentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') code!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'short_name' }) shortName!: string;
  @Column('text', { array: true }) aliases!: string[];
  @Column('char', { name: 'jurisdiction_code', length: 6 }) jurisdictionCode!: string;
  @Column('text', { name: 'linkage_role' }) linkageRole!: string;
}

@Entity('category')
export class CategoryEntity {
  @PrimaryColumn('text') code!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'name_en' }) nameEn!: string;
}

@Entity('support_method')
export class SupportMethodEntity {
  @PrimaryColumn('text') code!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'name_en' }) nameEn!: string;
}

@Entity('fund')
export class FundEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') code!: string;
  @Column('text') name!: string;
  @Column('text', { name: 'short_name' }) shortName!: string;
  @Column('uuid', { name: 'department_id' }) departmentId!: string;
  @Column('char', { name: 'jurisdiction_code', length: 6 }) jurisdictionCode!: string;
  @Column('boolean', { name: 'uses_catalog' }) usesCatalog!: boolean;
  @Column('jsonb') rules!: Record<string, unknown>;
}

@Entity('sub_fund')
export class SubFundEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'fund_id' }) fundId!: string;
  @Column('text') code!: string;
  @Column('int') number!: number;
  @Column('text') name!: string;
  @Column('text', { name: 'category_code', nullable: true }) categoryCode!: string | null;
}

@Entity('catalog')
export class CatalogEntity {
  @PrimaryColumn('text') code!: string;
  @Column('text') name!: string;
  @Column('char', { name: 'jurisdiction_code', length: 6 }) jurisdictionCode!: string;
}

@Entity('catalog_field')
export class CatalogFieldEntity {
  @PrimaryColumn('text', { name: 'catalog_code' }) catalogCode!: string;
  @PrimaryColumn('text') code!: string;
  @Column('text') name!: string;
}

@Entity('catalog_item')
export class CatalogItemEntity {
  @PrimaryColumn('text') code!: string;
  @Column('text', { name: 'catalog_code' }) catalogCode!: string;
  @Column('text', { name: 'field_code' }) fieldCode!: string;
  @Column('int') number!: number;
  @Column('text') name!: string;
}

export const REFERENCE_ENTITIES = [
  JurisdictionEntity,
  DepartmentEntity,
  CategoryEntity,
  SupportMethodEntity,
  FundEntity,
  SubFundEntity,
  CatalogEntity,
  CatalogFieldEntity,
  CatalogItemEntity,
];
