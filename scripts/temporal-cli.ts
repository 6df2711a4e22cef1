/**
 * Finds the Temporal CLI (dev server and client), installing the pinned version from its Go module if needed.
 * Order: $TEMPORAL_CLI, then the cached pinned build, then `temporal` on PATH. The cache lives outside the
 * checkout so that fresh clones share one build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export function cachedCliDir(): string {
  const cacheRoot =
    process.env.EE_CANCEL_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ee-cancel');
  return join(cacheRoot, `temporal-cli-${TEMPORAL_CLI_VERSION.slice(1)}`);
}

function onPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/** The CLI's path, or undefined when none is installed. */
export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} does not exist`);
    return fromEnv;
  }
  const cached = join(cachedCliDir(), 'temporal');
  if (existsSync(cached)) return cached;
  return onPath();
}

/** Finds the CLI or builds the pinned version with `go install` (a few minutes, once per machine). */
export function ensureTemporalCli(): string {
  const found = findTemporalCli();
  if (found) return found;
  const dir = cachedCliDir();
  mkdirSync(dir, { recursive: true });
  console.log(
    `Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${dir} (go install, takes a few minutes once)...`,
  );
  try {
    execFileSync('go', ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      stdio: 'inherit',
      env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
    });
  } catch (err) {
    throw new Error(
      `could not install the Temporal CLI with Go (${(err as Error).message}); install Go >= 1.25, or set TEMPORAL_CLI to an existing temporal binary`,
    );
  }
  return join(dir, 'temporal');
}

if (require.main === module) {
  console.log(ensureTemporalCli());
}
