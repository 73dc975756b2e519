import { Account } from '../modules/accounts/account.entity';

/** Every TypeORM entity. Migrations are generated against this list. */
export const ENTITIES = [Account];
