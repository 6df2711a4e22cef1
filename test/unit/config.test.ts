import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  DEFAULT_EE_API_URL,
  DEFAULT_NAMESPACE,
  DEFAULT_TEMPORAL_ADDRESS,
  loadWorkerConfig,
  type WorkerConfig,
} from '../../src/config';
import { DEFAULT_TASK_QUEUE } from '../../src/shared';

// An explicit environment without HOME or XDG_CONFIG_HOME: Temporal's envconfig then reads no profile file, so the
// tests see neither the machine's environment nor its ~/.config/temporalio/temporal.toml.
function load(env: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig(env);
}

function configError(env: Record<string, string>, expected: RegExp): ConfigError {
  let caught: unknown;
  try {
    load(env);
  } catch (err) {
    caught = err;
  }
  if (caught === undefined) return assert.fail(`expected a ConfigError for ${JSON.stringify(env)}`);
  assert.ok(
    caught instanceof ConfigError,
    `expected a ConfigError, got ${caught instanceof Error ? caught.stack : JSON.stringify(caught)}`,
  );
  assert.equal(caught.name, 'ConfigError');
  assert.match(caught.message, expected);
  return caught;
}

describe('loadWorkerConfig: defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = load();
    assert.equal(config.taskQueue, DEFAULT_TASK_QUEUE);
    assert.equal(config.taskQueue, 'ee-operations');
    assert.equal(config.temporal.namespace, DEFAULT_NAMESPACE);
    assert.equal(config.temporal.connectionOptions.address, DEFAULT_TEMPORAL_ADDRESS);
    assert.deepEqual(config.ee, { apiUrl: DEFAULT_EE_API_URL, requestTimeoutMs: 20_000 });
    assert.equal('quotaProject' in config.ee, false);
    assert.equal('allowedProjects' in config.ee, false);
  });

  test('the default API URL is Earth Engine v1 over https', () => {
    assert.equal(DEFAULT_EE_API_URL, 'https://earthengine.googleapis.com/v1');
  });

  test('blank values mean the defaults', () => {
    const config = load({
      EE_API_URL: '  ',
      EE_CANCEL_TASK_QUEUE: ' ',
      EE_QUOTA_PROJECT: '   ',
      EE_REQUEST_TIMEOUT: ' ',
      EE_ALLOWED_PROJECTS: '  ',
    });
    assert.deepEqual(config.ee, { apiUrl: DEFAULT_EE_API_URL, requestTimeoutMs: 20_000 });
    assert.equal(config.taskQueue, DEFAULT_TASK_QUEUE);
  });
});

describe('loadWorkerConfig: Temporal connection', () => {
  test('follows TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const config = load({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'ee-prod' });
    assert.equal(config.temporal.connectionOptions.address, 'temporal.internal:7233');
    assert.equal(config.temporal.namespace, 'ee-prod');
  });

  test('an API key turns TLS on', () => {
    const config = load({ TEMPORAL_ADDRESS: 'x.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-123' });
    assert.equal(config.temporal.connectionOptions.apiKey, 'key-123');
    assert.equal(config.temporal.connectionOptions.tls, true);
  });

  test('a missing profile is a ConfigError', () => {
    configError({ TEMPORAL_PROFILE: 'nope' }, /^Temporal connection configuration is invalid: .*nope/);
  });

  test('an unreadable profile file is a ConfigError', () => {
    // This compiled test file is certainly not TOML.
    configError({ TEMPORAL_CONFIG_FILE: __filename }, /^Temporal connection configuration is invalid: /);
  });

  test('a missing profile file is fine', () => {
    const config = load({ TEMPORAL_CONFIG_FILE: `${__filename}.does-not-exist.toml` });
    assert.equal(config.temporal.connectionOptions.address, DEFAULT_TEMPORAL_ADDRESS);
  });
});

describe('loadWorkerConfig: task queue and quota project', () => {
  test('EE_CANCEL_TASK_QUEUE is trimmed', () => {
    assert.equal(load({ EE_CANCEL_TASK_QUEUE: ' ee-ops.v2_blue ' }).taskQueue, 'ee-ops.v2_blue');
  });

  for (const queue of ['has space', 'slash/queue', 'q'.repeat(201), 'ünïcode']) {
    test(`rejects the task queue ${JSON.stringify(queue.slice(0, 20))}`, () => {
      configError(
        { EE_CANCEL_TASK_QUEUE: queue },
        /^EE_CANCEL_TASK_QUEUE=".*" must be letters, digits, "\.", "_" or "-"$/,
      );
    });
  }

  test('EE_QUOTA_PROJECT is trimmed and kept', () => {
    assert.equal(load({ EE_QUOTA_PROJECT: ' billing-project ' }).ee.quotaProject, 'billing-project');
  });
});

describe('loadWorkerConfig: EE_API_URL', () => {
  const accepted: Array<[string, string]> = [
    ['https://earthengine.googleapis.com/v1', 'https://earthengine.googleapis.com/v1'],
    ['https://earthengine.googleapis.com/v1/', 'https://earthengine.googleapis.com/v1'],
    ['  https://earthengine.googleapis.com/v1beta  ', 'https://earthengine.googleapis.com/v1beta'],
    ['https://earthengine-highvolume.googleapis.com/v1alpha', 'https://earthengine-highvolume.googleapis.com/v1alpha'],
    ['https://proxy.example.com:8443/ee/v1', 'https://proxy.example.com:8443/ee/v1'],
    ['HTTPS://EarthEngine.GoogleApis.com/v1', 'https://earthengine.googleapis.com/v1'],
    ['http://localhost:8080/v1', 'http://localhost:8080/v1'],
    ['http://LOCALHOST:8080/v1', 'http://localhost:8080/v1'],
    ['http://127.0.0.1:9000/v1beta', 'http://127.0.0.1:9000/v1beta'],
    ['http://[::1]:9000/v1alpha/', 'http://[::1]:9000/v1alpha'],
  ];
  for (const [raw, expected] of accepted) {
    test(`accepts ${JSON.stringify(raw)}`, () => {
      assert.equal(load({ EE_API_URL: raw }).ee.apiUrl, expected);
    });
  }

  const plainHttp = [
    'http://earthengine.googleapis.com/v1',
    'http://localhost.evil.example/v1',
    'http://10.0.0.5:8080/v1',
    'http://192.168.1.1/v1',
    'http://[::2]/v1',
    'http://0.0.0.0:8080/v1',
  ];
  for (const raw of plainHttp) {
    test(`refuses plain http to a non-loopback host: ${raw}`, () => {
      configError(
        { EE_API_URL: raw },
        /^EE_API_URL must use https \(plain http is accepted for loopback hosts only\), got http:$/,
      );
    });
  }

  for (const [raw, protocol] of [
    ['ftp://localhost/v1', 'ftp:'],
    ['file:///v1', 'file:'],
    ['ws://localhost:8080/v1', 'ws:'],
    ['javascript:alert(1)//v1', 'javascript:'],
  ]) {
    test(`refuses the ${protocol} scheme`, () => {
      configError({ EE_API_URL: raw! }, new RegExp(`^EE_API_URL must use https .*got ${protocol}$`));
    });
  }

  for (const raw of ['not a url', 'earthengine.googleapis.com/v1', '/v1', 'https://']) {
    test(`refuses ${JSON.stringify(raw)} as not a URL`, () => {
      configError(
        { EE_API_URL: raw },
        new RegExp(
          `^EE_API_URL=${JSON.stringify(raw).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a URL; use e\\.g\\. https://earthengine\\.googleapis\\.com/v1$`,
        ),
      );
    });
  }

  for (const raw of [
    'https://earthengine.googleapis.com/v1?key=AIzaSyAbc',
    'https://earthengine.googleapis.com/v1#frag',
    'https://user:pass@earthengine.googleapis.com/v1',
    'https://user@earthengine.googleapis.com/v1',
    'http://user:pass@localhost:8080/v1',
  ]) {
    test(`refuses a query, fragment or credentials: ${raw}`, () => {
      const err = configError({ EE_API_URL: raw }, /^EE_API_URL must not contain a query, a fragment or credentials$/);
      assert.ok(!err.message.includes('pass'), 'the message must not echo credentials');
    });
  }

  for (const raw of [
    'https://earthengine.googleapis.com',
    'https://earthengine.googleapis.com/',
    'https://earthengine.googleapis.com/v2',
    'https://earthengine.googleapis.com/v1beta1',
    'https://earthengine.googleapis.com/v1/projects',
    'https://earthengine.googleapis.com/api/xv1',
  ]) {
    test(`refuses a URL that does not end with the API version: ${raw}`, () => {
      configError(
        { EE_API_URL: raw },
        /^EE_API_URL must end with the API version \(\/v1, \/v1beta or \/v1alpha\), got \//,
      );
    });
  }

  test('a path that normalises away the version is refused', () => {
    configError({ EE_API_URL: 'https://earthengine.googleapis.com/v1/..' }, /must end with the API version .*got \/$/);
  });

  for (const raw of ['https://earthengine.googleapis.com/v1?', 'https://earthengine.googleapis.com/v1#']) {
    test(`an empty query or fragment marker does not end up in the API URL: ${raw}`, {}, () => {
      let apiUrl: string | undefined;
      try {
        apiUrl = load({ EE_API_URL: raw }).ee.apiUrl;
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return;
      }
      assert.ok(!/[?#]/.test(apiUrl), `apiUrl is ${apiUrl}`);
    });
  }
});

describe('loadWorkerConfig: EE_ALLOWED_PROJECTS', () => {
  test('unset or blank means every project is allowed', () => {
    assert.equal(load().ee.allowedProjects, undefined);
    assert.equal(load({ EE_ALLOWED_PROJECTS: '' }).ee.allowedProjects, undefined);
    assert.equal(load({ EE_ALLOWED_PROJECTS: ' \t ' }).ee.allowedProjects, undefined);
  });

  test('a comma-separated list, trimmed, without empty entries', () => {
    const allowed = load({ EE_ALLOWED_PROJECTS: ' my-project, other-project ,,123456789 , example.com:legacy-proj' }).ee
      .allowedProjects;
    assert.ok(allowed);
    assert.deepEqual([...allowed].sort(), ['123456789', 'example.com:legacy-proj', 'my-project', 'other-project']);
  });

  test('a single project', () => {
    const allowed = load({ EE_ALLOWED_PROJECTS: 'my-project' }).ee.allowedProjects;
    assert.ok(allowed?.has('my-project'));
    assert.equal(allowed?.size, 1);
    assert.equal(allowed?.has('other-project'), false);
  });

  test('duplicates collapse', () => {
    assert.equal(load({ EE_ALLOWED_PROJECTS: 'my-project,my-project' }).ee.allowedProjects?.size, 1);
  });

  for (const bad of ['My-Project', 'my_project', 'my project', '-leading', 'proj/ect', 'pröject', 'proj*']) {
    test(`rejects the project ID ${JSON.stringify(bad)}`, () => {
      configError(
        { EE_ALLOWED_PROJECTS: `good-project,${bad}` },
        new RegExp(
          `^EE_ALLOWED_PROJECTS has an invalid project ID ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
        ),
      );
    });
  }
});

describe('loadWorkerConfig: EE_REQUEST_TIMEOUT', () => {
  const accepted: Array<[string, number]> = [
    ['20s', 20_000],
    ['1s', 1_000],
    ['25s', 25_000],
    ['1.5s', 1_500],
    ['5000', 5_000],
    ['1000', 1_000],
    ['25000', 25_000],
    [' 10s ', 10_000],
    ['10 seconds', 10_000],
  ];
  for (const [raw, ms] of accepted) {
    test(`${JSON.stringify(raw)} -> ${ms} ms`, () => {
      assert.equal(load({ EE_REQUEST_TIMEOUT: raw }).ee.requestTimeoutMs, ms);
    });
  }

  for (const raw of ['999', '0', '0s', '500ms', '26s', '25001', '1m', '1h', '-5s']) {
    test(`${JSON.stringify(raw)} is out of range`, () => {
      configError(
        { EE_REQUEST_TIMEOUT: raw },
        /^EE_REQUEST_TIMEOUT must be between 1000 ms and 25000 ms, got -?\d+ ms$/,
      );
    });
  }

  for (const raw of ['abc', '20 s econds', '1e4', 'twenty']) {
    test(`${JSON.stringify(raw)} is not a duration`, () => {
      configError({ EE_REQUEST_TIMEOUT: raw }, /^EE_REQUEST_TIMEOUT=".*" is not a duration; use e\.g\. "20s"/);
    });
  }
});

describe('ConfigError', () => {
  test('is an Error named ConfigError', () => {
    const err = new ConfigError('x');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'ConfigError');
    assert.equal(err.message, 'x');
  });
});

describe('loadWorkerConfig: EE_QUOTA_PROJECT', () => {
  for (const project of ['billing-project', 'example.com:billing', '123456789012']) {
    test(`accepts ${project}`, () => {
      assert.equal(load({ EE_QUOTA_PROJECT: project }).ee.quotaProject, project);
    });
  }

  for (const bad of ['Billing', 'billing project', 'billing\r\nX-Injected: 1', 'billing/x', '-billing']) {
    test(`rejects ${JSON.stringify(bad)} (it becomes a request header)`, () => {
      configError({ EE_QUOTA_PROJECT: bad }, /^EE_QUOTA_PROJECT=".*" is not a project ID$/);
    });
  }
});

describe('loadWorkerConfig: limits, metrics, logging and bundle', () => {
  test('defaults', () => {
    const config = load();
    assert.deepEqual(config.limits, {
      rateLimitPerSecond: 90,
      maxConcurrentActivities: 40,
      maxConcurrentWorkflowTasks: 40,
      maxCachedWorkflows: 1000,
      shutdownGraceMs: 30_000,
    });
    assert.deepEqual(config.log, { level: 'INFO', format: 'json' });
    assert.equal('metrics' in config, false);
    assert.equal('workflowBundlePath' in config, false);
  });

  test('explicit values', () => {
    const config = load({
      EE_CANCEL_RATE_LIMIT: '12.5',
      EE_CANCEL_MAX_CONCURRENT_ACTIVITIES: ' 8 ',
      EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS: '2',
      EE_CANCEL_MAX_CACHED_WORKFLOWS: '0',
      EE_CANCEL_SHUTDOWN_GRACE: '2 minutes',
      EE_CANCEL_METRICS_PORT: '9464',
      EE_CANCEL_LOG_LEVEL: 'debug',
      EE_CANCEL_LOG_FORMAT: 'TEXT',
      EE_CANCEL_WORKFLOW_BUNDLE: ' /app/workflow-bundle.js ',
    });
    assert.deepEqual(config.limits, {
      rateLimitPerSecond: 12.5,
      maxConcurrentActivities: 8,
      maxConcurrentWorkflowTasks: 2,
      maxCachedWorkflows: 0,
      shutdownGraceMs: 120_000,
    });
    assert.deepEqual(config.metrics, { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(config.log, { level: 'DEBUG', format: 'text' });
    assert.equal(config.workflowBundlePath, '/app/workflow-bundle.js');
  });

  test('the metrics host can be set', () => {
    assert.deepEqual(load({ EE_CANCEL_METRICS_PORT: '9000', EE_CANCEL_METRICS_HOST: ' 127.0.0.1 ' }).metrics, {
      host: '127.0.0.1',
      port: 9000,
    });
  });

  const badNumbers: Array<[string, string, RegExp]> = [
    ['EE_CANCEL_RATE_LIMIT', '0', /^EE_CANCEL_RATE_LIMIT="0" must be a number from 0\.1 to 10000$/],
    ['EE_CANCEL_RATE_LIMIT', 'fast', /^EE_CANCEL_RATE_LIMIT="fast" must be a number/],
    [
      'EE_CANCEL_MAX_CONCURRENT_ACTIVITIES',
      '0',
      /^EE_CANCEL_MAX_CONCURRENT_ACTIVITIES="0" must be an integer from 1 to 1000$/,
    ],
    ['EE_CANCEL_MAX_CONCURRENT_ACTIVITIES', '2.5', /must be an integer from 1 to 1000$/],
    [
      'EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS',
      '1',
      /^EE_CANCEL_MAX_CONCURRENT_WORKFLOW_TASKS="1" must be an integer from 2 to 1000$/,
    ],
    ['EE_CANCEL_MAX_CACHED_WORKFLOWS', '-1', /^EE_CANCEL_MAX_CACHED_WORKFLOWS="-1" must be an integer/],
    ['EE_CANCEL_METRICS_PORT', '70000', /^EE_CANCEL_METRICS_PORT="70000" must be an integer from 1 to 65535$/],
    ['EE_CANCEL_METRICS_PORT', 'http', /^EE_CANCEL_METRICS_PORT="http" must be an integer/],
  ];
  for (const [name, raw, expected] of badNumbers) {
    test(`${name}=${JSON.stringify(raw)} is refused`, () => {
      configError({ [name]: raw }, expected);
    });
  }

  test('an unknown log level or format is refused with the choices', () => {
    configError(
      { EE_CANCEL_LOG_LEVEL: 'VERBOSE' },
      /^EE_CANCEL_LOG_LEVEL="VERBOSE" must be one of TRACE, DEBUG, INFO, WARN, ERROR$/,
    );
    configError({ EE_CANCEL_LOG_FORMAT: 'xml' }, /^EE_CANCEL_LOG_FORMAT="xml" must be one of json, text$/);
  });

  test('a shutdown grace that is not a duration or is too long is refused', () => {
    configError({ EE_CANCEL_SHUTDOWN_GRACE: 'a while' }, /^EE_CANCEL_SHUTDOWN_GRACE="a while" is not a duration/);
    configError(
      { EE_CANCEL_SHUTDOWN_GRACE: '1h' },
      /^EE_CANCEL_SHUTDOWN_GRACE must be between 0 ms and 600000 ms, got 3600000 ms$/,
    );
  });
});

test('EE_ALLOWED_PROJECTS that lists nothing (only commas) is an error, not "deny everything"', () => {
  assert.throws(
    () => loadWorkerConfig({ EE_ALLOWED_PROJECTS: ' , ,' }),
    (e: unknown) => e instanceof ConfigError && /lists no project/.test(e.message),
  );
});

test("a secured Temporal (API key, TLS, mTLS) is configuration alone, through Temporal's own variables", () => {
  const cloud = loadWorkerConfig({
    TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'my-ns.a1b2c',
    TEMPORAL_API_KEY: 'key-for-test',
  });
  assert.equal(cloud.temporal.connectionOptions.address, 'my-ns.a1b2c.tmprl.cloud:7233');
  assert.equal(cloud.temporal.namespace, 'my-ns.a1b2c');
  assert.equal(cloud.temporal.connectionOptions.apiKey, 'key-for-test');
  assert.ok(cloud.temporal.connectionOptions.tls, 'TLS is on with an API key');

  const mtls = loadWorkerConfig({
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CLIENT_CERT_DATA: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    TEMPORAL_TLS_CLIENT_KEY_DATA: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----',
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const tls = mtls.temporal.connectionOptions.tls;
  assert.ok(tls && typeof tls === 'object', 'mTLS options are set');
  assert.equal(tls.serverNameOverride, 'temporal.internal');
  assert.ok(Buffer.from(tls.clientCertPair!.crt).toString('utf8').includes('BEGIN CERTIFICATE'));
});
