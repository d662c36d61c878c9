import { Args, Context, Field, Mutation, ObjectType, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { RegistryService, type Payment } from '#registry';
import { departmentCaller, type RequestContext } from '../graphql/request-context.js';
import { money } from './registry.mapper.js';
import { MoneyObject, ProjectObject } from './registry.objects.js';

@ObjectType('Payment', { description: '拨付记录 / A payment made to a project' })
export class PaymentObject {
  @Field({ description: 'APPROVAL 立项拨付 / ACCEPTANCE 验收后拨付' }) stage!: string;
  @Field(() => MoneyObject) amount!: MoneyObject;
  @Field({ description: '拨付日期 / paid on' }) paidOn!: string;
  @Field() reason!: string;
}

const toPayment = (p: Payment): PaymentObject => ({ stage: p.stage, amount: money(p.amountFen)!, paidOn: p.paidOn, reason: p.reason });

/** Payments (拨付) by the fund's plan; each passes a fresh credit review first. */
@Resolver(() => ProjectObject)
export class PaymentsResolver {
  constructor(private readonly registry: RegistryService) {}

  @ResolveField(() => [PaymentObject], { description: '拨付记录 / payments made', complexity: 5 })
  async payments(@Parent() project: ProjectObject): Promise<PaymentObject[]> {
    return (await this.registry.payments(project.id)).map(toPayment);
  }

  @Mutation(() => [PaymentObject], { description: '登记拨付(按专项拨付计划;拨付前重新信用审查,阻止则不得拨付) / Record a payment by the fund\'s plan; a fresh credit review comes first and a block stops it' })
  async recordPayment(
    @Args('code') code: string,
    @Args('stage', { description: 'APPROVAL / ACCEPTANCE' }) stage: string,
    @Args('amountYuan', { description: '金额(元) / amount in yuan' }) amountYuan: string,
    @Args('paidOn', { description: 'YYYY-MM-DD' }) paidOn: string,
    @Context() ctx: RequestContext,
    @Args('reason', { nullable: true }) reason?: string,
  ): Promise<PaymentObject[]> {
    return (await this.registry.recordPayment(departmentCaller(ctx), code, { stage, amountYuan, paidOn, reason: reason ?? undefined })).map(toPayment);
  }
}
