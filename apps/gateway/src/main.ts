import 'reflect-metadata';
import { ConfigError, loadConfig } from '#shared/config/index.js';
import { printWelcome, startGateway } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await startGateway(config);
  printWelcome(gateway, config);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: stopping the gateway`);
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
