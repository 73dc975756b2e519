import type { App } from '../app/app';

/**
 * Orders whose thread has closed (30 days after they were completed or cancelled) leave the
 * UNANSWERED_MESSAGE queue: nobody can reply there any more (MessageService.leaveClosedThreads).
 */
export function leaveClosedThreads(app: App, now: Date): Promise<number> {
  return app.messages.leaveClosedThreads(now);
}
