import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { renderLifecycleDoc } from '../src/modules/lifecycle/lifecycle-doc';

/**
 * Issue 11: exactly one code path writes each status column — `StateMachine.transition`
 * (src/common/state-machine.ts). Rows are created in their first state (an INSERT may name
 * it); every later change goes through a machine, so its timeline event and its hooks cannot
 * be skipped. This scans the source for the other ways a status could be written.
 */
const SRC = path.join(__dirname, '..', 'src');
const MECHANISM = path.join('common', 'state-machine.ts');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.(ts|mts|mjs)$/.test(name) ? [full] : [];
  });
}

const WRITES: { what: string; pattern: RegExp }[] = [
  { what: 'a repository update setting a status', pattern: /\.update\(\s*\{[^}]*\}\s*,\s*\{[^}]*\bstatus\s*:/s },
  { what: 'a query-builder update setting a status', pattern: /\.set\(\s*\{[^}]*\bstatus\s*:/s },
  { what: 'SQL that sets a status column', pattern: /UPDATE\s+"?\w+"?\s+SET[^;`]*\bstatus"?\s*=/is },
  // A TypeScript assignment; SQL comparisons (o.status = 'X', = $1, = :s) are not writes.
  { what: 'an assignment to .status (then saved)', pattern: /\.status\s*=(?!=)(?!\s*['$:(])/ },
  { what: 'Object.assign of a status', pattern: /Object\.assign\([^)]*\{[^}]*\bstatus\s*:/s },
];

it('finds no status write outside the one transition mechanism', () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    if (file.endsWith(MECHANISM)) continue;
    const text = readFileSync(file, 'utf8');
    for (const { what, pattern } of WRITES) {
      const match = pattern.exec(text);
      if (match) offenders.push(`${path.relative(SRC, file)}:${text.slice(0, match.index).split('\n').length}: ${what}`);
    }
  }
  expect(offenders).toEqual([]);
});

it('catches each kind of write it looks for (the scan itself can fail)', () => {
  const samples = [
    `await tx.getRepository(Order).update({ id }, { status: OrderStatus.CANCELLED });`,
    `await tx.query(\`UPDATE customer_order SET cancelled_at = now(), status = 'CANCELLED' WHERE id = $1\`);`,
    `order.status = OrderStatus.SHIPPED; await repo.save(order);`,
    `Object.assign(request, { decidedAt: at, status: to });`,
    `await tx.createQueryBuilder().update(Invoice).set({ status: InvoiceStatus.VOID }).execute();`,
  ];
  expect(samples.map((s) => WRITES.some(({ pattern }) => pattern.test(s)))).toEqual([true, true, true, true, true]);
  expect(WRITES.some(({ pattern }) => pattern.test(`SELECT 1 FROM customer_order o WHERE o.status = 'SUBMITTED' AND p.status = $1`))).toBe(false);
  expect(WRITES.some(({ pattern }) => pattern.test(`await repo.update({ id: p.id, status: PaymentStatus.PENDING }, { captureId });`))).toBe(false);
});

it('has docs/lifecycle.md generated from the current tables (run `npm run docs:lifecycle`)', () => {
  expect(readFileSync(path.join(__dirname, '..', 'docs', 'lifecycle.md'), 'utf8')).toBe(renderLifecycleDoc());
});
