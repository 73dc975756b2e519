import type { App } from '../app/app';
import { autoCancelUnpaid } from './auto-cancel.job';
import { autoCompleteShipped } from './auto-complete.job';
import { remindPaymentDue } from './payment-reminder.job';
import { cleanUp } from './cleanup.job';
import { recoverCardCaptures } from './capture-recovery.job';
import { leaveClosedThreads } from './closed-threads.job';
import { declinePriceChangesPastDue, remindPriceChangesDue } from './price-change-expiry.job';

export type Sweep = (app: App, now: Date) => Promise<number>;

/** The periodic sweeps, run as pg-boss schedules by `src/jobs/workers.ts`. Each is safe to run in every gateway process at once. */
export const SWEEPS: Record<string, Sweep> = {
  autoCancelUnpaid,
  declinePriceChangesPastDue,
  remindPriceChangesDue,
  autoCompleteShipped,
  remindPaymentDue,
  cleanUp,
  leaveClosedThreads,
  recoverCardCaptures,
};
