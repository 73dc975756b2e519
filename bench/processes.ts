import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/app/config';

/** A server the benchmark started as a child process (`node …`), with its output kept for errors. */
export interface Child {
  process: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

export function startChild(script: string, env: Record<string, string>, args: string[] = []): Child {
  const child = spawn(process.execPath, [...args, path.join(PROJECT_ROOT, script)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `url` until it answers 200 (or the child dies, or `timeoutMs` passes). Returns ms waited. */
export async function waitFor200(url: string, child: Child, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`${url}: the process exited (${child.process.exitCode}) before answering:\n${child.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now() - started;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Processes whose command line mentions `text` (e.g. a postgres data folder), other than ps itself. */
export function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

/** Waits until the child has printed `text` (its "ready" line). */
export async function waitForOutput(child: Child, text: string, timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  while (!child.output().includes(text)) {
    if (child.process.exitCode !== null) throw new Error(`the process exited (${child.process.exitCode}) before printing "${text}":\n${child.output()}`);
    if (performance.now() - started > timeoutMs) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
