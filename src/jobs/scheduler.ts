import type { App } from '../app/app';
import { autoCancelUnpaid } from './auto-cancel.job';
import { autoCompleteShipped } from './auto-complete.job';

export type Sweep = (app: App, now: Date) => Promise<number>;

/** The periodic sweeps `npm start` runs. Each is safe to run in every gateway process at once. */
export const SWEEPS: Record<string, Sweep> = {
  autoCancelUnpaid,
  autoCompleteShipped,
};

/** Runs every sweep every `intervalSeconds`, one round at a time; returns a stop function. */
export function startScheduler(app: App, intervalSeconds: number): () => Promise<void> {
  if (intervalSeconds <= 0) return async () => {};
  let running: Promise<void> | null = null;
  const round = async () => {
    for (const [name, sweep] of Object.entries(SWEEPS)) {
      try {
        const count = await sweep(app, app.clock.now());
        if (count) app.log.info({ sweep: name, count }, 'sweep done');
      } catch (error) {
        app.log.error({ err: error, sweep: name }, 'sweep failed');
      }
    }
  };
  const timer = setInterval(() => {
    running ??= round().finally(() => (running = null));
  }, intervalSeconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
