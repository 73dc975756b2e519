// A second gateway PROCESS for tests (test/support/gateway-process.ts starts it): the real
// gateway on the database and settings it is given in its environment, printing its URL.
import 'reflect-metadata';
import { loadConfig } from '../../src/app/config';
import { startGateway } from '../../src/app/gateway';
import type { Clock } from '../../src/common/clock';

// The test's clock, moving on with real time from where the test's clock stood (tokens the
// test issued must be valid here too).
const base = Number(process.env.TEST_CLOCK_AT ?? Date.now());
const started = Date.now();
const clock: Clock = { now: () => new Date(base + (Date.now() - started)) };

void (async () => {
  const gateway = await startGateway({ config: loadConfig(process.env), databaseUrl: process.env.DATABASE_URL!, clock });
  process.stdout.write(`gateway ready at ${gateway.url}\n`);
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void gateway.stop().finally(() => process.exit(0));
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
