/**
 * Worker configuration, from the environment. The Temporal connection follows Temporal's own environment
 * configuration (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the
 * TOML profile file), so a secured cluster or Temporal Cloud needs no code change. Invalid values fail at start
 * with a message that says what to fix.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { msToNumber, type Duration } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from './shared';

export const DEFAULT_EE_API_URL = 'https://earthengine.googleapis.com/v1';
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_NAMESPACE = 'default';

export interface WorkerConfig {
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string };
  taskQueue: string;
  ee: {
    apiUrl: string;
    quotaProject?: string;
    requestTimeoutMs: number;
    allowedProjects?: ReadonlySet<string>;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`EE_API_URL=${JSON.stringify(raw)} is not a URL; use e.g. ${DEFAULT_EE_API_URL}`);
  }
  // A bearer token must never travel in clear text, except to a simulator on this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new ConfigError(
      `EE_API_URL must use https (plain http is accepted for loopback hosts only), got ${url.protocol}`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError('EE_API_URL must not contain a query, a fragment or credentials');
  }
  if (!/\/v1(alpha|beta)?\/?$/.test(url.pathname)) {
    throw new ConfigError(`EE_API_URL must end with the API version (/v1, /v1beta or /v1alpha), got ${url.pathname}`);
  }
  return url.toString().replace(/\/+$/, '');
}

function parseProjects(raw: string | undefined): ReadonlySet<string> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const projects = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bad = projects.find((p) => !/^[a-z0-9][a-z0-9.:-]*$/.test(p));
  if (bad !== undefined) throw new ConfigError(`EE_ALLOWED_PROJECTS has an invalid project ID ${JSON.stringify(bad)}`);
  return new Set(projects);
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20_000;
  let ms: number;
  try {
    ms = msToNumber((/^\d+$/.test(raw) ? Number(raw) : raw) as Duration);
  } catch {
    throw new ConfigError(`EE_REQUEST_TIMEOUT=${JSON.stringify(raw)} is not a duration; use e.g. "20s"`);
  }
  // The activity's start-to-close timeout is 30 s: a request must end well before it.
  if (!(ms >= 1000 && ms <= 25_000)) throw new ConfigError('EE_REQUEST_TIMEOUT must be between 1s and 25s');
  return ms;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  let connect;
  try {
    connect = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  } catch (err) {
    throw new ConfigError(`Temporal connection configuration is invalid: ${(err as Error).message}`);
  }
  const taskQueue = env.EE_CANCEL_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
  if (!/^[\w.-]{1,200}$/.test(taskQueue)) {
    throw new ConfigError(`EE_CANCEL_TASK_QUEUE=${JSON.stringify(taskQueue)} must be letters, digits, ".", "_" or "-"`);
  }
  const quotaProject = env.EE_QUOTA_PROJECT?.trim() || undefined;
  const allowedProjects = parseProjects(env.EE_ALLOWED_PROJECTS);
  return {
    temporal: {
      connectionOptions: {
        ...connect.connectionOptions,
        address: connect.connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS,
      },
      namespace: connect.namespace ?? DEFAULT_NAMESPACE,
    },
    taskQueue,
    ee: {
      apiUrl: parseApiUrl(env.EE_API_URL?.trim() || DEFAULT_EE_API_URL),
      ...(quotaProject && { quotaProject }),
      requestTimeoutMs: parseTimeout(env.EE_REQUEST_TIMEOUT?.trim()),
      ...(allowedProjects && { allowedProjects }),
    },
  };
}
