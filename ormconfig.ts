// The DataSource the TypeORM CLI uses (`npm run migration:*`). The npm scripts run it through
// scripts/with-database.mjs, which sets DATABASE_URL (starting the embedded server if needed).
import 'reflect-metadata';
import { createDataSource } from './src/app/data-source';

if (!process.env.DATABASE_URL) {
  throw new Error('DATABASE_URL is not set: run the migration commands through npm (see README).');
}

export default createDataSource(process.env.DATABASE_URL);
