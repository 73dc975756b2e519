import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../common/clock';
import { AccountService } from '../modules/accounts/account.service';
import { TokenService } from '../modules/accounts/auth';
import type { Config } from './config';

/**
 * The services of one gateway process, built once at start. Services get this and reach each
 * other through it; the per-request part lives in `Context`.
 */
export class App {
  readonly tokens: TokenService;
  readonly accounts: AccountService;

  constructor(
    readonly config: Config,
    readonly ds: DataSource,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.tokens = new TokenService({
      secret: config.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.JWT_TTL_SECONDS,
    });
    this.accounts = new AccountService(this);
  }
}
