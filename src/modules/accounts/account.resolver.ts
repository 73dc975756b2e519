import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../app/context';
import { limitedLogin } from '../../app/security/account-limits';
import { mutation } from '../../common/transaction';
import { Account } from './account.entity';
import { Role } from './account.entity';
import {
  AccountLoginInput, AccountPasswordResetInput, AccountPasswordResetRequestInput, AccountPasswordResetRequestPayload, AccountPayload, AccountRegisterInput, AccountRoleSetInput,
  AccountUpdateInput, AuthPayload,
} from './account.inputs';

@Resolver()
export class AccountResolver {
  @Authorized()
  @Query(() => Account, { description: 'The signed-in account.' })
  me(@Ctx() ctx: Context): Account {
    return ctx.viewer!;
  }

  @Mutation(() => AuthPayload, { description: 'Sign up as a customer; returns a bearer token.' })
  async accountRegister(@Arg('input', { description: 'Your e-mail address, password, name and phone number.' }) input: AccountRegisterInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    await ctx.app.rateLimits.consume('register', ctx.ip, 1, 'Too many sign-ups from this address.');
    return mutation(ctx.app.ds, async (tx) => {
      const account = await ctx.app.accounts.register(tx, input);
      return { account, ...(await ctx.app.tokens.issue(account.id, ctx.app.clock.now())) };
    });
  }

  @Mutation(() => AuthPayload, { description: 'Sign in; returns a bearer token.' })
  accountLogin(@Arg('input', { description: 'Your e-mail address and password.' }) input: AccountLoginInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return limitedLogin(ctx.app.rateLimits, input.email, ctx.ip, () => mutation(ctx.app.ds, (tx) => ctx.app.accounts.login(tx, input)));
  }

  @Authorized()
  @Mutation(() => AccountPayload, { description: 'Change your name, phone, usual delivery address, or which notifications you get by e-mail.' })
  accountUpdate(@Arg('input', { description: 'The profile fields to change.' }) input: AccountUpdateInput, @Ctx() ctx: Context): Promise<AccountPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ account: await ctx.app.accountCare.update(tx, ctx.viewer!, input) }));
  }

  @Mutation(() => AccountPasswordResetRequestPayload, { description: 'Forgot your password: a one-time link (30 minutes) goes to the address if it has an account. Same answer either way.' })
  async accountPasswordResetRequest(@Arg('input', { description: 'The account’s e-mail address.' }) input: AccountPasswordResetRequestInput, @Ctx() ctx: Context): Promise<AccountPasswordResetRequestPayload> {
    const email = input.email.trim().toLowerCase();
    await ctx.app.rateLimits.consume('passwordResetClient', ctx.ip, 1, 'Too many password reset requests from this address.');
    await ctx.app.rateLimits.consume('passwordResetEmail', email, 1, 'Too many password reset requests for this e-mail address.');
    const done = await mutation(ctx.app.ds, async (tx) => {
      await ctx.app.accountCare.requestReset(tx, email);
      return { accepted: true };
    });
    return { accepted: true, userErrors: done.userErrors };
  }

  @Mutation(() => AuthPayload, { description: 'Set a new password with the e-mailed link; signs you in. Every earlier sign-in of the account ends.' })
  accountPasswordReset(@Arg('input', { description: 'The e-mailed token and the new password.' }) input: AccountPasswordResetInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return mutation(ctx.app.ds, async (tx) => {
      const account = await ctx.app.accountCare.reset(tx, input);
      return { account, ...(await ctx.app.tokens.issue(account.id, ctx.app.clock.now())) };
    });
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => AccountPayload, { description: 'Admin: make an account CUSTOMER, STAFF or ADMIN.' })
  accountRoleSet(@Arg('input', { description: 'The account and its new role.' }) input: AccountRoleSetInput, @Ctx() ctx: Context): Promise<AccountPayload> {
    return mutation(ctx.app.ds, async (tx) => ({ account: await ctx.app.accounts.setRole(tx, input.accountId, input.role) }));
  }
}
