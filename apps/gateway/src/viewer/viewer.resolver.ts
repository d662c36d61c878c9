import { Context, Field, ObjectType, Query, Resolver, registerEnumType } from '@nestjs/graphql';
import { ApiRole } from '#identity';
import { ReferenceService } from '#reference';
import { DepartmentObject } from '../reference/reference.objects.js';
import { ReferenceMapper } from '../reference/reference.mapper.js';
import type { RequestContext } from '../graphql/request-context.js';

export enum ViewerRole {
  PUBLIC = 'PUBLIC',
  STAFF = ApiRole.STAFF,
  LEADING = ApiRole.LEADING,
  INFORMATION_CENTER = ApiRole.INFORMATION_CENTER,
  READER = ApiRole.READER,
}
registerEnumType(ViewerRole, {
  name: 'Role',
  description: '访问角色 / What a credential may do',
  valuesMap: {
    PUBLIC: { description: '公众(无密钥) / no key: public data only' },
    STAFF: { description: '部门工作人员 / department staff: reads all, changes its own' },
    LEADING: { description: '牵头部门 / leading department: also consultations and the annual report' },
    INFORMATION_CENTER: { description: '信息中心 / platform operator: integration and imports' },
    READER: { description: '只读(发改委、财政局等) / reads everything, changes nothing' },
  },
});

@ObjectType('Viewer', { description: '当前请求的身份 / Who the current request is' })
export class ViewerObject {
  @Field({ description: '是否带有效密钥 / whether a valid key was presented' }) authenticated!: boolean;
  @Field(() => ViewerRole, { description: '角色 / role' }) role!: ViewerRole;
  @Field(() => DepartmentObject, { nullable: true, description: '所属部门 / the key\'s department' }) department!: DepartmentObject | null;
}

@Resolver()
export class ViewerResolver {
  constructor(private readonly reference: ReferenceService) {}

  @Query(() => ViewerObject, { description: '我是谁 / Who am I: department and role of the key presented' })
  async me(@Context() ctx: RequestContext): Promise<ViewerObject> {
    const p = ctx.principal;
    if (p.kind !== 'department') return { authenticated: false, role: ViewerRole.PUBLIC, department: null };
    const [department, jurisdictions, departments] = await Promise.all([
      this.reference.departmentById(p.departmentId),
      this.reference.jurisdictions(),
      this.reference.departments(),
    ]);
    const mapper = new ReferenceMapper({ jurisdictions, departments });
    return { authenticated: true, role: p.role as unknown as ViewerRole, department: department ? mapper.department(department) : null };
  }
}
