import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum LinkageRoleEnum {
  LEADING = 'LEADING',
  PARTICIPATING = 'PARTICIPATING',
  WORKING_GROUP = 'WORKING_GROUP',
  INFORMATION_CENTER = 'INFORMATION_CENTER',
  LEADING_GROUP_OFFICE = 'LEADING_GROUP_OFFICE',
  AGENCY = 'AGENCY',
  OTHER = 'OTHER',
}
registerEnumType(LinkageRoleEnum, {
  name: 'LinkageRole',
  description: '部门在联动管理中的角色 / A department\'s part in the linkage',
  valuesMap: {
    LEADING: { description: '联动牵头部门 / leading department' },
    PARTICIPATING: { description: '联动管理参与部门 / participating funding department' },
    WORKING_GROUP: { description: '推进工作组成员 / working-group member (reads, evaluates, supervises)' },
    INFORMATION_CENTER: { description: '信息中心 / information center, the platform operator' },
    LEADING_GROUP_OFFICE: { description: '领导小组办公室 / leading-group office' },
    AGENCY: { description: '第三方专业机构(受部门委托) / third-party agency acting for departments that delegate to it' },
    OTHER: { description: '其他 / other' },
  },
});

@ObjectType('Jurisdiction', { description: '行政区划(GB/T 2260) / Administrative division (GB/T 2260)' })
export class JurisdictionObject {
  @Field({ description: '6位行政区划代码 / 6-digit division code' }) code!: string;
  @Field({ description: '名称 / name' }) name!: string;
  @Field({ description: '级别:province/city/district / level' }) level!: string;
}

@ObjectType('Department', { description: '部门 / A government department on the platform' })
export class DepartmentObject {
  @Field({ description: '部门代码(稳定,如 KW) / stable short code, e.g. KW' }) code!: string;
  @Field({ description: '全称 / full name' }) name!: string;
  @Field({ description: '简称 / short name' }) shortName!: string;
  @Field(() => [String], { description: '其他常用名称 / other names in use' }) aliases!: string[];
  @Field(() => LinkageRoleEnum, { description: '联动角色 / part in the linkage' }) linkageRole!: LinkageRoleEnum;
  @Field(() => JurisdictionObject, { description: '所属行政区划 / jurisdiction' }) jurisdiction!: JurisdictionObject;
}

@ObjectType('Category', { description: '专项分类(四类) / Category of the classification table' })
export class CategoryObject {
  @Field({ description: '分类代码 / code' }) code!: string;
  @Field({ description: '名称 / name' }) name!: string;
  @Field({ description: '英文名称 / English name' }) nameEn!: string;
}

@ObjectType('SupportMethod', { description: '支持方式 / Support method' })
export class SupportMethodObject {
  @Field({ description: '代码 / code' }) code!: string;
  @Field({ description: '名称 / name' }) name!: string;
  @Field({ description: '英文名称 / English name' }) nameEn!: string;
}

@ObjectType('SubFund', { description: '子专项 / Sub-fund' })
export class SubFundObject {
  @Field({ description: '子专项代码(在专项内唯一) / code within its fund' }) code!: string;
  @Field(() => Int, { description: '分类划分表中的序号 / number in the classification table' }) number!: number;
  @Field({ description: '名称 / name' }) name!: string;
  @Field(() => CategoryObject, { nullable: true, description: '所属分类(分类划分表外的子专项为空) / category; none outside the classification table' }) category!: CategoryObject | null;
}

@ObjectType('Fund', { description: '部门专项资金 / A department fund' })
export class FundObject {
  @Field({ description: '专项代码 / code' }) code!: string;
  @Field({ description: '名称 / name' }) name!: string;
  @Field({ description: '简称 / short name' }) shortName!: string;
  @Field(() => DepartmentObject, { description: '责任部门 / responsible department' }) department!: DepartmentObject;
  @Field({ description: '申报须符合关键技术目录 / applications must name a key-technology catalog item' }) usesCatalog!: boolean;
  @Field(() => [SubFundObject], { description: '子专项 / sub-funds' }) subFunds!: SubFundObject[];
}

@ObjectType('CatalogField', { description: '目录产业领域 / Field of a key-technology catalog' })
export class CatalogFieldObject {
  @Field() code!: string;
  @Field() name!: string;
}

@ObjectType('CatalogItem', { description: '关键技术(产品)目录条目 / Key-technology catalog item' })
export class CatalogItemObject {
  @Field({ description: '条目代码 / code' }) code!: string;
  @Field(() => Int, { description: '序号 / number' }) number!: number;
  @Field({ description: '关键技术和产品 / technology or product' }) name!: string;
  @Field(() => CatalogFieldObject, { description: '产业领域 / field' }) field!: CatalogFieldObject;
}

@ObjectType('Catalog', { description: '关键技术(产品)目录 / Key-technology catalog' })
export class CatalogObject {
  @Field() code!: string;
  @Field() name!: string;
  @Field(() => JurisdictionObject) jurisdiction!: JurisdictionObject;
  @Field(() => [CatalogFieldObject]) fields!: CatalogFieldObject[];
  @Field(() => [CatalogItemObject]) items!: CatalogItemObject[];
}
