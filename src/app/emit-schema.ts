import 'reflect-metadata';
import { emitSchemaFile } from './schema';

emitSchemaFile().then(
  (file) => console.log(`wrote ${file}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
