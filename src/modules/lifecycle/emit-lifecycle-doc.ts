import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderLifecycleDoc } from './lifecycle-doc';

const file = path.join(process.cwd(), 'docs', 'lifecycle.md');
writeFileSync(file, renderLifecycleDoc());
console.log(`wrote ${file}`);
