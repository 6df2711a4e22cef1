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

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_EE_API_URL = 'https://earthengine.googleapis.com/v1';

/** Every environment variable the worker reads (besides Temporal's own TEMPORAL_* variables, which follow
 * Temporal's environment configuration, and Google's ADC variables). The README's table mirrors this list and a
 * test keeps the two, the Dockerfile and docker-compose.yml in step. */
export const WORKER_ENV = {
  EE_CANCEL_TASK_QUEUE: { default: DEFAULT_TASK_QUEUE, doc: 'Task queue the worker polls and clients start on.' },
  EE_API_URL: {
    default: 'https://earthengine.googleapis.com/v1',
    doc: 'Earth Engine API root (`/v1`, `/v1beta` or `/v1alpha`); https, or http to a loopback host only.',
  },
  EE_QUOTA_PROJECT: { default: "(the operation's project)", doc: 'Sent as `X-Goog-User-Project`.' },
  EE_ALLOWED_PROJECTS: {
    default: '(any)',
    doc: 'Comma-separated projects the worker may touch; others fail as `ProjectNotAllowed` without a call.',
  },
  EE_REQUEST_TIMEOUT: { default: '20s', doc: 'Timeout of one HTTP request to Earth Engine (1s-25s).' },
  EE_CANCEL_RATE_LIMIT: {
    default: '90',
    doc: 'Earth Engine calls per second for the whole task queue, all workers together (Temporal task-queue rate limit). Earth Engine allows 100/s per project.',
  },
  EE_CANCEL_MAX_CONCURRENT_ACTIVITIES: {
    default: '40',
    doc: 'Concurrent Earth Engine calls per worker (Earth Engine allows 40 per endpoint).',
  },
  EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS: { default: '40', doc: 'Concurrent workflow tasks per worker.' },
  EE_CANCEL_MAX_CACHED_WORKFLOWS: {
    default: '1000',
    doc: 'Workflows kept in the worker cache (about 1.5 MB each at most).',
  },
  EE_CANCEL_SHUTDOWN_GRACE: {
    default: '30s',
    doc: 'On SIGTERM/SIGINT, time given to in-flight activities before they are cancelled.',
  },
  EE_CANCEL_METRICS_PORT: {
    default: '(off)',
    doc: 'Serve Prometheus metrics of the Temporal runtime on this port (`/metrics`).',
  },
  EE_CANCEL_METRICS_HOST: { default: '0.0.0.0', doc: 'Address the metrics endpoint binds to.' },
  EE_CANCEL_LOG_LEVEL: { default: 'INFO', doc: 'TRACE, DEBUG, INFO, WARN or ERROR.' },
  EE_CANCEL_LOG_FORMAT: { default: 'json', doc: '`json` (one object per line) or `text`.' },
  EE_CANCEL_WORKFLOW_BUNDLE: {
    default: '(bundle at start)',
    doc: 'Path to a workflow bundle made by `npm run bundle` (the Docker image sets it).',
  },
} as const;

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface WorkerConfig {
  temporal: { connectionOptions: NativeConnectionOptions; namespace: string };
  taskQueue: string;
  limits: {
    rateLimitPerSecond: number;
    maxConcurrentActivities: number;
    maxConcurrentWorkflowTasks: number;
    maxCachedWorkflows: number;
    shutdownGraceMs: number;
  };
  metrics?: { host: string; port: number };
  log: { level: LogLevel; format: 'json' | 'text' };
  workflowBundlePath?: string;
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
  if (/[?#]/.test(raw) || url.username || url.password) {
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
  if (projects.length === 0) {
    throw new ConfigError('EE_ALLOWED_PROJECTS lists no project; leave it unset to allow any project');
  }
  const bad = projects.find((p) => !/^[a-z0-9][a-z0-9.:-]*$/.test(p));
  if (bad !== undefined) throw new ConfigError(`EE_ALLOWED_PROJECTS has an invalid project ID ${JSON.stringify(bad)}`);
  return new Set(projects);
}

function parseDuration(
  name: string,
  raw: string | undefined,
  fallbackMs: number,
  minMs: number,
  maxMs: number,
): number {
  if (raw === undefined || raw === '') return fallbackMs;
  let ms: number;
  try {
    ms = msToNumber((/^\d+$/.test(raw) ? Number(raw) : raw) as Duration);
  } catch {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is not a duration; use e.g. "20s" or a number of milliseconds`,
    );
  }
  if (!(ms >= minMs && ms <= maxMs))
    throw new ConfigError(`${name} must be between ${minMs} ms and ${maxMs} ms, got ${ms} ms`);
  return ms;
}

function parseNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = true,
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    );
  }
  return value;
}

function parseChoice<T extends string>(name: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim();
  const match = choices.find((c) => c.toLowerCase() === value.toLowerCase());
  if (!match) throw new ConfigError(`${name}=${JSON.stringify(raw)} must be one of ${choices.join(', ')}`);
  return match;
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
  if (quotaProject !== undefined && !/^[a-z0-9][a-z0-9.:-]*$/.test(quotaProject)) {
    throw new ConfigError(`EE_QUOTA_PROJECT=${JSON.stringify(quotaProject)} is not a project ID`);
  }
  const metricsPort = parseNumber('EE_CANCEL_METRICS_PORT', env.EE_CANCEL_METRICS_PORT, 0, 1, 65535);
  const workflowBundlePath = env.EE_CANCEL_WORKFLOW_BUNDLE?.trim() || undefined;
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
    limits: {
      rateLimitPerSecond: parseNumber('EE_CANCEL_RATE_LIMIT', env.EE_CANCEL_RATE_LIMIT, 90, 0.1, 10_000, false),
      maxConcurrentActivities: parseNumber(
        'EE_CANCEL_MAX_CONCURRENT_ACTIVITIES',
        env.EE_CANCEL_MAX_CONCURRENT_ACTIVITIES,
        40,
        1,
        1000,
      ),
      maxConcurrentWorkflowTasks: parseNumber(
        'EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS',
        env.EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS,
        40,
        2,
        1000,
      ),
      maxCachedWorkflows: parseNumber(
        'EE_CANCEL_MAX_CACHED_WORKFLOWS',
        env.EE_CANCEL_MAX_CACHED_WORKFLOWS,
        1000,
        0,
        100_000,
      ),
      shutdownGraceMs: parseDuration(
        'EE_CANCEL_SHUTDOWN_GRACE',
        env.EE_CANCEL_SHUTDOWN_GRACE?.trim(),
        30_000,
        0,
        600_000,
      ),
    },
    ...(metricsPort > 0 && { metrics: { host: env.EE_CANCEL_METRICS_HOST?.trim() || '0.0.0.0', port: metricsPort } }),
    log: {
      level: parseChoice(
        'EE_CANCEL_LOG_LEVEL',
        env.EE_CANCEL_LOG_LEVEL,
        ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const,
        'INFO',
      ),
      format: parseChoice('EE_CANCEL_LOG_FORMAT', env.EE_CANCEL_LOG_FORMAT, ['json', 'text'] as const, 'json'),
    },
    ...(workflowBundlePath && { workflowBundlePath }),
    ee: {
      apiUrl: parseApiUrl(env.EE_API_URL?.trim() || DEFAULT_EE_API_URL),
      ...(quotaProject && { quotaProject }),
      // The activity's start-to-close timeout is 30 s: a request must end well before it.
      requestTimeoutMs: parseDuration('EE_REQUEST_TIMEOUT', env.EE_REQUEST_TIMEOUT?.trim(), 20_000, 1_000, 25_000),
      ...(allowedProjects && { allowedProjects }),
    },
  };
}
