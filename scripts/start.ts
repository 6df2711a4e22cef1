/**
 * `npm start`: the one command that runs the service on a fresh machine. Makes sure the pinned Temporal CLI exists,
 * starts `temporal server start-dev` (SQLite file and Web UI) when nothing answers at TEMPORAL_ADDRESS, and runs
 * the worker. Against a remote cluster it only runs the worker.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalCli } from './temporal-cli';
import { isLocalAddress, registerSearchAttributes, serverAnswers, startDevServer, type DevServer } from './dev-server';
import { ConfigError, loadWorkerConfig } from '../src/config';
import { runWorkerFromEnvironment } from '../src/worker';

async function main(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`ee-cancel: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const address = config.temporal.connectionOptions.address ?? 'localhost:7233';
  let devServer: DevServer | undefined;
  if (!(await serverAnswers(address))) {
    if (!isLocalAddress(address)) {
      console.error(`ee-cancel: no Temporal server answers at ${address}`);
      process.exit(1);
    }
    const cli = ensureTemporalCli();
    const dataDir = process.env.EE_CANCEL_DATA_DIR ?? join(homedir(), '.local', 'share', 'ee-cancel');
    const dbFile = join(dataDir, 'temporal.db');
    console.log(`ee-cancel: starting temporal server start-dev at ${address} (data in ${dbFile})`);
    devServer = await startDevServer({ cli, address, dbFile });
    console.log(`ee-cancel: Temporal Web UI at ${devServer.uiUrl}`);
  } else if (isLocalAddress(address)) {
    // A dev server someone else started may lack our search attributes.
    registerSearchAttributes(ensureTemporalCli(), address, config.temporal.namespace);
  }
  try {
    await runWorkerFromEnvironment();
  } finally {
    await devServer?.stop();
  }
}

main().catch((err: unknown) => {
  console.error('ee-cancel:', err instanceof Error ? err.message : err);
  process.exit(1);
});
