import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '#shared/core/index.js';
import { buildSchemaSdl } from '../src/schema-printer.js';

describe('the committed GraphQL schema', () => {
  it('matches the code (run "npm run schema" and commit the file after an API change)', async () => {
    const committed = readFileSync(join(projectRoot(), 'apps', 'gateway', 'schema.graphql'), 'utf8');
    expect(await buildSchemaSdl()).toBe(committed);
  });

  it('describes the main API types in Chinese and English', async () => {
    const sdl = await buildSchemaSdl();
    for (const type of ['Department', 'Fund', 'SubFund', 'Catalog', 'Viewer', 'Job']) {
      expect(sdl).toMatch(new RegExp(`"""[^"]*/[^"]*"""\\s*type ${type} `));
    }
  });
});
