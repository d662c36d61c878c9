import { Args, Query, Resolver } from '@nestjs/graphql';
import { ReferenceService } from '#reference';
import { CatalogObject, CategoryObject, DepartmentObject, FundObject, SupportMethodObject } from './reference.objects.js';
import { ReferenceMapper } from './reference.mapper.js';

/** Reference data: public, readable without a key. */
@Resolver()
export class ReferenceResolver {
  constructor(private readonly reference: ReferenceService) {}

  private async mapper(): Promise<ReferenceMapper> {
    const [jurisdictions, departments, categories] = await Promise.all([
      this.reference.jurisdictions(),
      this.reference.departments(),
      this.reference.categories(),
    ]);
    return new ReferenceMapper({ jurisdictions, departments, categories });
  }

  @Query(() => [DepartmentObject], { description: '全部部门 / All departments on the platform' })
  async departments(): Promise<DepartmentObject[]> {
    const [m, departments] = await Promise.all([this.mapper(), this.reference.departments()]);
    return departments.map((d) => m.department(d));
  }

  @Query(() => DepartmentObject, { description: '按代码、全称或简称查部门 / One department by code, full or short name' })
  async department(@Args('code', { description: '部门代码或名称 / code or name' }) code: string): Promise<DepartmentObject> {
    const [m, d] = await Promise.all([this.mapper(), this.reference.department(code)]);
    return m.department(d);
  }

  @Query(() => [FundObject], { description: '专项资金及子专项、分类 / Funds with their sub-funds and categories' })
  async funds(): Promise<FundObject[]> {
    const [m, funds] = await Promise.all([this.mapper(), this.reference.funds()]);
    return funds.map((f) => m.fund(f));
  }

  @Query(() => [CategoryObject], { description: '专项分类 / The four categories' })
  categories(): Promise<CategoryObject[]> {
    return this.reference.categories();
  }

  @Query(() => [SupportMethodObject], { description: '支持方式 / Support methods' })
  supportMethods(): Promise<SupportMethodObject[]> {
    return this.reference.supportMethods();
  }

  @Query(() => [CatalogObject], { description: '关键技术(产品)目录 / Key-technology catalogs' })
  async catalog(): Promise<CatalogObject[]> {
    const [m, catalogs] = await Promise.all([this.mapper(), this.reference.catalogs()]);
    return catalogs.map((c) => m.catalog(c));
  }
}
