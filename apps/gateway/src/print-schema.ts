import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '#shared/core/index.js';
import { buildSchemaSdl } from './schema-printer.js';

const file = join(projectRoot(), 'apps', 'gateway', 'schema.graphql');
writeFileSync(file, await buildSchemaSdl());
console.log(`wrote ${file}`);
