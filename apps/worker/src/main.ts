import { ConfigError, loadConfig } from '#shared/config/index.js';
import { DomainError } from '#shared/core/index.js';
import { startWorker } from './worker.js';

async function main(): Promise<void> {
  const worker = await startWorker(loadConfig());
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      worker.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof DomainError ? `Error: ${err.message}` : err);
  process.exit(1);
});
