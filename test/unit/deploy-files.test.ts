/**
 * Keeps the deployment files (Dockerfile, .dockerignore, docker-compose.yml, deploy/) in step with the code: the
 * environment variables the worker reads, its task queue and search attributes, the entry point and the workflow
 * bundle, and the Temporal versions the tests run against. No Docker engine is needed: the files are parsed. Each
 * failure says what drifted and where.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_NAMESPACE, WORKER_ENV } from '../../src/config';
import { DEFAULT_TASK_QUEUE, SEARCH_ATTRIBUTE_NAMES } from '../../src/shared';
import { WORKFLOW_BUNDLE_PATH } from '../../scripts/bundle-workflows';

// The Temporal server and Web UI versions embedded in the Temporal CLI v1.5.1 that the test suite runs against
// (go.temporal.io/server v1.29.1, ui-server v2.42.1). docker-compose.yml must run the same ones.
const EXPECTED_TEMPORAL_SERVER_VERSION = '1.29.1';
const EXPECTED_TEMPORAL_UI_VERSION = '2.42.1';

/** Compiled to dist/test/unit: the repository root is three levels up. */
const ROOT = path.resolve(__dirname, '../../..');
const COMPOSE_FILE = 'docker-compose.yml';
const DOCKERFILE = 'Dockerfile';
const DOCKERIGNORE = '.dockerignore';

/** Where the compiled worker and the workflow bundle are, relative to the repository root (and so to the image's
 * working directory): derived from the code, not written down twice. */
const WORKER_ENTRY = path.relative(ROOT, require.resolve('../../src/worker')).split(path.sep).join('/');
const BUNDLE_FILE = path.relative(ROOT, WORKFLOW_BUNDLE_PATH).split(path.sep).join('/');

const SERVICE = {
  postgresql: 'postgresql',
  temporal: 'temporal',
  ui: 'temporal-ui',
  worker: 'worker',
} as const;

function readRepoFile(file: string): string {
  const full = path.join(ROOT, file);
  assert.ok(existsSync(full), `${file} is missing at the repository root (${ROOT})`);
  return readFileSync(full, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// docker-compose.yml

type EnvValue = string | number | boolean | null;
type Volume = string | { type?: string; source?: string; target?: string; read_only?: boolean };
type Port = string | number | { target?: string | number; published?: string | number };

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, EnvValue> | string[];
  command?: string | string[];
  entrypoint?: string | string[];
  volumes?: Volume[];
  ports?: Port[];
  depends_on?: string[] | Record<string, { condition?: string } | null>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  stop_grace_period?: string;
}

interface ComposeFile {
  services?: Record<string, ComposeService | null>;
}

/** What Compose makes of a value when the user's environment and .env set nothing: `${VAR:-default}` and
 * `${VAR-default}` give the default, `${VAR}`, `$VAR` and `${VAR:?message}` give an empty string, `$$` gives `$`. */
function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match: string, _name?: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      if (op === ':-' || op === '-') return arg ?? '';
      return '';
    },
  );
}

function loadCompose(): ComposeFile {
  const text = readRepoFile(COMPOSE_FILE);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    assert.fail(`${COMPOSE_FILE} is not valid YAML: ${(err as Error).message}`);
  }
  assert.ok(doc !== null && typeof doc === 'object', `${COMPOSE_FILE} must be a YAML mapping`);
  const compose = doc as ComposeFile;
  assert.ok(
    compose.services !== undefined && typeof compose.services === 'object',
    `${COMPOSE_FILE} has no "services" mapping`,
  );
  return compose;
}

function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services?.[name];
  assert.ok(
    found !== undefined && found !== null,
    `${COMPOSE_FILE} has no service "${name}" (services: ${Object.keys(compose.services ?? {}).join(', ')})`,
  );
  return found;
}

/** The service's environment after interpolation; `undefined` for a variable passed through from the host. */
function envOf(svc: ComposeService): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  if (Array.isArray(svc.environment)) {
    for (const entry of svc.environment) {
      const eq = entry.indexOf('=');
      if (eq < 0) env.set(entry.trim(), undefined);
      else env.set(entry.slice(0, eq).trim(), interpolate(entry.slice(eq + 1)));
    }
  } else if (svc.environment) {
    for (const [name, value] of Object.entries(svc.environment)) {
      env.set(name, value === null ? undefined : interpolate(String(value)));
    }
  }
  return env;
}

/** Entrypoint and command of a service, as one interpolated shell text. */
function commandText(svc: ComposeService): string {
  const parts = [svc.entrypoint, svc.command].flatMap((p) => (p === undefined ? [] : Array.isArray(p) ? p : [p]));
  return interpolate(parts.join(' '));
}

function dependsOn(svc: ComposeService): Map<string, string | undefined> {
  const deps = new Map<string, string | undefined>();
  if (Array.isArray(svc.depends_on)) for (const name of svc.depends_on) deps.set(name, undefined);
  else if (svc.depends_on) {
    for (const [name, spec] of Object.entries(svc.depends_on)) deps.set(name, spec?.condition ?? 'service_started');
  }
  return deps;
}

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

function mountsOf(svc: ComposeService): Mount[] {
  return (svc.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      // Interpolate first: a `${VAR:-./default}` source contains colons of its own.
      const [source = '', target = '', mode = ''] = interpolate(volume).split(':');
      return { source, target, readOnly: mode.split(',').includes('ro') };
    }
    return {
      source: interpolate(volume.source ?? ''),
      target: interpolate(volume.target ?? ''),
      readOnly: volume.read_only === true,
    };
  });
}

/** Container ports a service publishes. */
function containerPorts(svc: ComposeService): number[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    const spec = interpolate(String(port)).replace(/\/(tcp|udp)$/, '');
    return Number(spec.slice(spec.lastIndexOf(':') + 1));
  });
}

interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

function parseImage(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const withoutDigest = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const colon = withoutDigest.indexOf(':', withoutDigest.lastIndexOf('/') + 1);
  return {
    name: colon < 0 ? withoutDigest : withoutDigest.slice(0, colon),
    ...(colon >= 0 && { tag: withoutDigest.slice(colon + 1) }),
    ...(digest !== undefined && { digest }),
  };
}

/** Why an image reference is not pinned to one release, or undefined when it is: a sha256 digest, or a tag that
 * holds a dot-separated version (`16.11`, `1.29.1`, `20.20.2-bookworm-slim`), which excludes `latest` and a floating
 * major such as `16`. */
function pinProblem(ref: string): string | undefined {
  const image = parseImage(ref);
  if (image.digest !== undefined) {
    return /^sha256:[0-9a-f]{64}$/.test(image.digest) ? undefined : `has a malformed digest "${image.digest}"`;
  }
  if (image.tag === undefined || image.tag === '') return 'has no tag, so Docker pulls whatever "latest" is';
  if (image.tag === 'latest') return 'uses the "latest" tag';
  if (!/\d+\.\d+/.test(image.tag)) return `has tag "${image.tag}", which is not an exact version (no x.y in it)`;
  return undefined;
}

function leadingVersion(tag: string | undefined): string | undefined {
  return tag === undefined ? undefined : /^v?(\d+\.\d+\.\d+)/.exec(tag)?.[1];
}

/** Values of a repeatable CLI flag in a shell text: `--flag value` or `--flag=value`, quotes removed. */
function flagValues(text: string, flag: string): string[] {
  const values: string[] = [];
  const pattern = new RegExp(`(?:^|\\s)${flag}(?:=|\\s+)(?:"([^"]*)"|'([^']*)'|([^\\s\\\\;]+))`, 'g');
  for (const m of text.matchAll(pattern)) values.push(m[1] ?? m[2] ?? m[3] ?? '');
  return values;
}

/** A Compose or Temporal duration (`45s`, `1m30s`, `2h`, or a number of milliseconds) in milliseconds. */
function durationMs(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  let consumed = '';
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? NaN);
    consumed += m[0];
  }
  return consumed === trimmed && trimmed !== '' ? total : NaN;
}

/** The service whose command registers search attributes (`temporal operator search-attribute create`). */
function registeringService(compose: ComposeFile): [string, ComposeService] {
  const found = Object.entries(compose.services ?? {}).filter(
    (entry): entry is [string, ComposeService] =>
      entry[1] !== null && /search-attribute\s+create/.test(commandText(entry[1])),
  );
  assert.ok(
    found.length > 0,
    `${COMPOSE_FILE}: no service runs "temporal operator search-attribute create"; the workflow's search attributes ` +
      `(${Object.values(SEARCH_ATTRIBUTE_NAMES).join(', ')}) would be unknown to the namespace and its workflow tasks fail`,
  );
  return found[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  index: number;
  image: string;
  alias?: string;
  instructions: Instruction[];
}

/** Instructions, with line continuations joined and comments dropped (no heredoc support: the Dockerfile has none). */
function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('#') || (buffer === '' && line === '')) return;
    if (buffer === '') start = i + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1)} `;
      return;
    }
    buffer += line;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(buffer.trim());
    if (m) instructions.push({ keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: start });
    buffer = '';
  });
  return instructions;
}

function parseStages(text: string): Stage[] {
  const instructions = parseInstructions(text);
  // ARGs before the first FROM may parameterize FROM lines.
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = (words[0] ?? '').replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (_m: string, name: string) => globalArgs.get(name) ?? '',
      );
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      const alias = asIndex >= 0 ? words[asIndex + 1] : undefined;
      stages.push({ index: stages.length, image, ...(alias && { alias }), instructions: [] });
    } else if (stages.length === 0) {
      const arg = ins.keyword === 'ARG' ? /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args) : null;
      if (arg?.[1]) globalArgs.set(arg[1], (arg[2] ?? '').replace(/^["']|["']$/g, ''));
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return stages;
}

function stageNamed(stages: Stage[], ref: string, before: number): Stage | undefined {
  return stages.find(
    (s) => s.index < before && (s.alias?.toLowerCase() === ref.toLowerCase() || String(s.index) === ref),
  );
}

/** The instructions that apply in a stage: those of the stages it builds FROM, then its own. */
function effectiveInstructions(stages: Stage[], stage: Stage): Instruction[] {
  const parent = stageNamed(stages, stage.image, stage.index);
  return [...(parent ? effectiveInstructions(stages, parent) : []), ...stage.instructions];
}

/** ENV (or ARG) assignments: `NAME=value ...` or the legacy `NAME value`. */
function assignments(ins: Instruction): Array<[string, string]> {
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(ins.args);
  if (ins.keyword === 'ENV' && legacy) return [[legacy[1] ?? '', (legacy[2] ?? '').trim()]];
  const pairs: Array<[string, string]> = [];
  for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) {
    pairs.push([m[1] ?? '', (m[2] ?? '').replace(/^"([\s\S]*)"$|^'([\s\S]*)'$/, '$1$2')]);
  }
  return pairs;
}

interface CopySpec {
  from?: string;
  sources: string[];
  dest: string;
}

function parseCopy(ins: Instruction): CopySpec {
  const words: string[] = [];
  let from: string | undefined;
  let rest = ins.args;
  for (let flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
    if (flag[1] === 'from') from = flag[2];
    rest = rest.slice(flag[0].length);
  }
  if (rest.startsWith('[')) words.push(...(JSON.parse(rest) as string[]));
  else words.push(...rest.split(/\s+/).filter((w) => w !== ''));
  return { ...(from !== undefined && { from }), sources: words.slice(0, -1), dest: words[words.length - 1] ?? '' };
}

/** Files a COPY puts in the image, as absolute paths (one per source). */
function copiedPaths(spec: CopySpec, workdir: string): string[] {
  const dest = path.posix.resolve(workdir, spec.dest);
  if (spec.dest.endsWith('/') || spec.sources.length > 1) {
    return spec.sources.map((s) => path.posix.join(dest, path.posix.basename(s)));
  }
  return [dest];
}

/** Walks a stage's instructions, tracking WORKDIR. */
function withWorkdir(instructions: Instruction[], visit: (ins: Instruction, workdir: string) => void): string {
  let workdir = '/';
  for (const ins of instructions) {
    if (ins.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, ins.args);
    visit(ins, workdir);
  }
  return workdir;
}

function execForm(args: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((p): p is string => typeof p === 'string')) return parsed;
    return undefined;
  } catch {
    return undefined;
  }
}

interface Dockerfile {
  stages: Stage[];
  runtime: Stage;
  runtimeInstructions: Instruction[];
}

function loadDockerfile(): Dockerfile {
  const stages = parseStages(readRepoFile(DOCKERFILE));
  assert.ok(stages.length > 0, `${DOCKERFILE} has no FROM line`);
  const runtime = stages[stages.length - 1]!;
  return { stages, runtime, runtimeInstructions: effectiveInstructions(stages, runtime) };
}

function runtimeEnv(dockerfile: Dockerfile): Map<string, string> {
  const env = new Map<string, string>();
  for (const ins of dockerfile.runtimeInstructions) {
    if (ins.keyword === 'ENV') for (const [name, value] of assignments(ins)) env.set(name, value);
  }
  return env;
}

function exposedPorts(dockerfile: Dockerfile): number[] {
  return dockerfile.runtimeInstructions
    .filter((ins) => ins.keyword === 'EXPOSE')
    .flatMap((ins) => ins.args.split(/\s+/).map((p) => Number(p.replace(/\/(tcp|udp)$/, ''))));
}

// ---------------------------------------------------------------------------------------------------------------
// .dockerignore

interface IgnoreRule {
  negated: boolean;
  pattern: string;
  regex: RegExp;
}

function globToRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function loadDockerignore(): IgnoreRule[] {
  return readRepoFile(DOCKERIGNORE)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      return { negated, pattern, regex: globToRegex(pattern) };
    });
}

/** Docker's rule: the last matching pattern wins; a pattern that matches a directory excludes all below it. */
function isIgnored(rules: IgnoreRule[], file: string): boolean {
  const normalized = path.posix.normalize(file).replace(/^\.\/|^\/+|\/+$/g, '');
  const segments = normalized.split('/');
  const candidates = segments.map((_s, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negated;
  }
  return ignored;
}

/** Inside the repository (and so inside the build context), as a path relative to its root; undefined outside. */
function repoRelative(hostPath: string): string | undefined {
  const relative = path.relative(ROOT, path.resolve(ROOT, hostPath));
  return relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
}

// ---------------------------------------------------------------------------------------------------------------

describe(`${COMPOSE_FILE}`, () => {
  test('parses and has the expected services', () => {
    const compose = loadCompose();
    for (const name of Object.values(SERVICE)) service(compose, name);
    registeringService(compose);
  });

  test('every image is pinned to an exact version, and every other service is built', () => {
    const compose = loadCompose();
    for (const [name, svc] of Object.entries(compose.services ?? {})) {
      if (svc === null) continue;
      if (svc.image === undefined) {
        assert.ok(svc.build !== undefined, `${COMPOSE_FILE}: service "${name}" has neither an image nor a build`);
        continue;
      }
      const problem = pinProblem(interpolate(svc.image));
      assert.equal(problem, undefined, `${COMPOSE_FILE}: the image of service "${name}" (${svc.image}) ${problem}`);
    }
  });

  test(`the Temporal server is ${EXPECTED_TEMPORAL_SERVER_VERSION} and the Web UI ${EXPECTED_TEMPORAL_UI_VERSION}, as in the CLI the tests use`, () => {
    const compose = loadCompose();
    const server = parseImage(interpolate(service(compose, SERVICE.temporal).image ?? ''));
    assert.match(
      server.name,
      /^(docker\.io\/)?temporalio\/(auto-setup|server)$/,
      `${COMPOSE_FILE}: service "${SERVICE.temporal}" must run temporalio/auto-setup or temporalio/server, not ${server.name}`,
    );
    assert.equal(
      leadingVersion(server.tag),
      EXPECTED_TEMPORAL_SERVER_VERSION,
      `${COMPOSE_FILE}: the Temporal server image ${server.name}:${server.tag} drifted from ${EXPECTED_TEMPORAL_SERVER_VERSION}, ` +
        'the server in the Temporal CLI the tests run against; change both together',
    );
    const ui = parseImage(interpolate(service(compose, SERVICE.ui).image ?? ''));
    assert.match(
      ui.name,
      /^(docker\.io\/)?temporalio\/ui$/,
      `${COMPOSE_FILE}: service "${SERVICE.ui}" must run temporalio/ui`,
    );
    assert.equal(
      leadingVersion(ui.tag),
      EXPECTED_TEMPORAL_UI_VERSION,
      `${COMPOSE_FILE}: the Web UI image ${ui.name}:${ui.tag} drifted from ${EXPECTED_TEMPORAL_UI_VERSION}, the UI in the Temporal CLI the tests run against`,
    );
    const [registerName, register] = registeringService(compose);
    const tools = parseImage(interpolate(register.image ?? ''));
    if (/temporalio\/admin-tools$/.test(tools.name)) {
      assert.equal(
        leadingVersion(tools.tag),
        EXPECTED_TEMPORAL_SERVER_VERSION,
        `${COMPOSE_FILE}: service "${registerName}" runs admin-tools ${tools.tag}, not the server's ${EXPECTED_TEMPORAL_SERVER_VERSION}`,
      );
    }
  });

  test('the worker sets only variables that it (or Temporal or Google auth) reads', () => {
    const env = envOf(service(loadCompose(), SERVICE.worker));
    for (const name of env.keys()) {
      const known = name in WORKER_ENV || name.startsWith('TEMPORAL_') || name === 'GOOGLE_APPLICATION_CREDENTIALS';
      assert.ok(
        known,
        `${COMPOSE_FILE}: service "${SERVICE.worker}" sets ${name}, which the worker does not read: it is not in WORKER_ENV ` +
          '(src/config.ts), not a TEMPORAL_* variable and not GOOGLE_APPLICATION_CREDENTIALS (renamed or removed?)',
      );
    }
  });

  test('the worker polls the default task queue, on the namespace and server that the stack sets up', () => {
    const compose = loadCompose();
    const env = envOf(service(compose, SERVICE.worker));
    const taskQueue = env.get('EE_CANCEL_TASK_QUEUE') || DEFAULT_TASK_QUEUE;
    assert.equal(
      taskQueue,
      DEFAULT_TASK_QUEUE,
      `${COMPOSE_FILE}: the worker's EE_CANCEL_TASK_QUEUE is "${taskQueue}" but clients start workflows on DEFAULT_TASK_QUEUE ` +
        `"${DEFAULT_TASK_QUEUE}" (src/shared.ts)`,
    );

    const address = env.get('TEMPORAL_ADDRESS');
    assert.ok(
      address,
      `${COMPOSE_FILE}: the worker must set TEMPORAL_ADDRESS (the default, localhost, is the worker's own container)`,
    );
    const host = address.replace(/:\d+$/, '');
    assert.ok(
      compose.services?.[host],
      `${COMPOSE_FILE}: the worker's TEMPORAL_ADDRESS ${address} names no service of this file`,
    );
    assert.equal(
      host,
      SERVICE.temporal,
      `${COMPOSE_FILE}: the worker's TEMPORAL_ADDRESS ${address} is not the Temporal server`,
    );
    const uiAddress = envOf(service(compose, SERVICE.ui)).get('TEMPORAL_ADDRESS');
    assert.equal(
      uiAddress,
      address,
      `${COMPOSE_FILE}: the Web UI's TEMPORAL_ADDRESS ${uiAddress} differs from the worker's ${address}`,
    );

    const namespace = env.get('TEMPORAL_NAMESPACE') || DEFAULT_NAMESPACE;
    const serverNamespace = envOf(service(compose, SERVICE.temporal)).get('DEFAULT_NAMESPACE') || 'default';
    assert.equal(
      namespace,
      serverNamespace,
      `${COMPOSE_FILE}: the worker uses namespace "${namespace}" but the server creates "${serverNamespace}" (DEFAULT_NAMESPACE)`,
    );
    const [registerName, register] = registeringService(compose);
    const text = commandText(register);
    const registerNamespace = [...flagValues(text, '--namespace'), ...flagValues(text, '-n')][0] ?? 'default';
    assert.equal(
      registerNamespace,
      namespace,
      `${COMPOSE_FILE}: service "${registerName}" registers the search attributes on namespace "${registerNamespace}", the worker uses "${namespace}"`,
    );
    const registerAddress = flagValues(text, '--address')[0] ?? envOf(register).get('TEMPORAL_ADDRESS');
    assert.equal(
      registerAddress,
      address,
      `${COMPOSE_FILE}: service "${registerName}" registers the search attributes at ${registerAddress ?? 'localhost:7233'}, not at ${address}`,
    );
  });

  test('all the search attributes the workflow upserts are registered, as Keyword', () => {
    const [registerName, register] = registeringService(loadCompose());
    const text = commandText(register);
    const names = flagValues(text, '--name');
    const types = flagValues(text, '--type');
    // The CLI pairs the nth --name with the nth --type.
    const registered = new Map(names.map((name, i) => [name, types[i]]));
    for (const name of Object.values(SEARCH_ATTRIBUTE_NAMES)) {
      assert.ok(
        registered.has(name),
        `${COMPOSE_FILE}: service "${registerName}" does not register search attribute ${name} (SEARCH_ATTRIBUTE_NAMES in ` +
          `src/shared.ts); it registers: ${names.join(', ') || 'nothing'}`,
      );
      assert.equal(
        registered.get(name)?.toLowerCase(),
        'keyword',
        `${COMPOSE_FILE}: service "${registerName}" registers ${name} as ${registered.get(name)}, but the workflow upserts it as Keyword`,
      );
    }
  });

  test('services start in order: database, server and namespace, search attributes, worker', () => {
    const compose = loadCompose();
    const expect = (from: string, to: string, condition: string): void => {
      const actual = dependsOn(service(compose, from)).get(to);
      assert.equal(
        actual,
        condition,
        `${COMPOSE_FILE}: service "${from}" must depend on "${to}" with condition ${condition} (has ${actual ?? 'no dependency'})`,
      );
    };
    const [registerName] = registeringService(compose);
    expect(SERVICE.temporal, SERVICE.postgresql, 'service_healthy');
    expect(registerName, SERVICE.temporal, 'service_healthy');
    expect(SERVICE.worker, SERVICE.temporal, 'service_healthy');
    expect(SERVICE.worker, registerName, 'service_completed_successfully');
    for (const name of [SERVICE.postgresql, SERVICE.temporal]) {
      const healthcheck = service(compose, name).healthcheck;
      const testCmd = healthcheck?.test;
      const disabled =
        healthcheck?.disable === true || (Array.isArray(testCmd) ? testCmd[0] === 'NONE' : testCmd === 'NONE');
      assert.ok(
        testCmd !== undefined && testCmd.length > 0 && !disabled,
        `${COMPOSE_FILE}: service "${name}" needs a healthcheck; the services after it wait for service_healthy`,
      );
    }
  });

  test("the worker's build context holds the Dockerfile", () => {
    const build = service(loadCompose(), SERVICE.worker).build;
    assert.ok(build !== undefined, `${COMPOSE_FILE}: service "${SERVICE.worker}" must be built from the ${DOCKERFILE}`);
    const context = path.resolve(ROOT, interpolate((typeof build === 'string' ? build : build.context) ?? '.'));
    const dockerfile = typeof build === 'string' ? DOCKERFILE : interpolate(build.dockerfile ?? DOCKERFILE);
    const file = path.resolve(context, dockerfile);
    assert.ok(existsSync(file), `${COMPOSE_FILE}: the worker is built from ${file}, which does not exist`);
    assert.equal(
      file,
      path.join(ROOT, DOCKERFILE),
      `${COMPOSE_FILE}: the worker is built from ${file}, not the repository's ${DOCKERFILE}`,
    );
  });

  test('the service-account key is mounted read-only where GOOGLE_APPLICATION_CREDENTIALS points, from outside the image', () => {
    const worker = service(loadCompose(), SERVICE.worker);
    const keyPath = envOf(worker).get('GOOGLE_APPLICATION_CREDENTIALS');
    assert.ok(
      keyPath,
      `${COMPOSE_FILE}: the worker sets no GOOGLE_APPLICATION_CREDENTIALS, so it has no credentials for Earth Engine`,
    );
    const mount = mountsOf(worker).find((m) => m.target === keyPath || keyPath.startsWith(`${m.target}/`));
    assert.ok(
      mount,
      `${COMPOSE_FILE}: GOOGLE_APPLICATION_CREDENTIALS=${keyPath} but no volume of the worker is mounted there`,
    );
    assert.ok(
      mount.readOnly,
      `${COMPOSE_FILE}: the credentials volume ${mount.source} -> ${mount.target} must be read-only`,
    );
    const inRepo = repoRelative(mount.source);
    if (inRepo !== undefined) {
      assert.ok(
        isIgnored(loadDockerignore(), inRepo),
        `${COMPOSE_FILE}: the key file ${mount.source} is inside the build context but ${DOCKERIGNORE} does not exclude it`,
      );
    }
  });

  test('the worker gets longer than its shutdown grace to drain before Docker kills it', () => {
    const worker = service(loadCompose(), SERVICE.worker);
    const grace = envOf(worker).get('EE_CANCEL_SHUTDOWN_GRACE') || WORKER_ENV.EE_CANCEL_SHUTDOWN_GRACE.default;
    const stopAfter = worker.stop_grace_period ?? '10s';
    assert.ok(
      durationMs(stopAfter) > durationMs(grace),
      `${COMPOSE_FILE}: the worker's stop_grace_period (${stopAfter}) must exceed EE_CANCEL_SHUTDOWN_GRACE (${grace}), or ` +
        'Docker kills it while in-flight activities are still finishing',
    );
  });

  test('the dynamic config file the server reads is in deploy/ and is valid', () => {
    const temporal = service(loadCompose(), SERVICE.temporal);
    const configPath = envOf(temporal).get('DYNAMIC_CONFIG_FILE_PATH');
    if (!configPath) return; // the image's own default
    // The server image resolves a relative path against its working directory, /etc/temporal.
    const inContainer = path.posix.resolve('/etc/temporal', configPath);
    const mount = mountsOf(temporal).find((m) => inContainer === m.target || inContainer.startsWith(`${m.target}/`));
    assert.ok(
      mount,
      `${COMPOSE_FILE}: DYNAMIC_CONFIG_FILE_PATH=${configPath} (${inContainer}) is not inside any volume of "${SERVICE.temporal}"`,
    );
    const hostFile = path.resolve(ROOT, mount.source, path.posix.relative(mount.target, inContainer));
    assert.ok(
      existsSync(hostFile) && statSync(hostFile).isFile(),
      `${COMPOSE_FILE}: the dynamic config ${hostFile} does not exist`,
    );
    const config: unknown = parse(readFileSync(hostFile, 'utf8'));
    assert.ok(
      config !== null && typeof config === 'object',
      `${hostFile} must be a YAML mapping of dynamic config keys`,
    );
    for (const [key, values] of Object.entries(config as Record<string, unknown>)) {
      assert.ok(
        Array.isArray(values) && values.every((v) => v !== null && typeof v === 'object' && 'value' in v),
        `${hostFile}: ${key} must be a list of { value, constraints } entries`,
      );
    }
  });
});

describe(`${DOCKERFILE}`, () => {
  test('every FROM is pinned and there are separate build and runtime stages', () => {
    const { stages } = loadDockerfile();
    assert.ok(stages.length >= 2, `${DOCKERFILE} must have a build stage and a runtime stage (has ${stages.length})`);
    for (const stage of stages) {
      if (stageNamed(stages, stage.image, stage.index)) continue;
      const problem = pinProblem(stage.image);
      assert.equal(
        problem,
        undefined,
        `${DOCKERFILE}: FROM ${stage.image} (stage ${stage.alias ?? stage.index}) ${problem}`,
      );
    }
  });

  test('the build stage installs, compiles and bundles; the runtime stage installs production dependencies only', () => {
    const dockerfile = loadDockerfile();
    const runs = (instructions: Instruction[]): string[] =>
      instructions.filter((ins) => ins.keyword === 'RUN').map((ins) => ins.args);
    const runtimeRuns = runs(dockerfile.runtimeInstructions);
    assert.ok(
      runtimeRuns.some((r) => /\bnpm\s+ci\b[^;&|]*--omit[= ]dev\b/.test(r)),
      `${DOCKERFILE}: the runtime stage must install dependencies with "npm ci --omit=dev"`,
    );
    for (const run of runtimeRuns) {
      for (const npm of run.matchAll(/\bnpm\s+(ci|install|i)\b[^;&|]*/g)) {
        assert.ok(
          npm[1] === 'ci' && /--omit[= ]dev\b/.test(npm[0]),
          `${DOCKERFILE}: the runtime stage runs "${npm[0].trim()}"; use "npm ci --omit=dev" (the lock file, no dev dependencies)`,
        );
      }
    }
    const sources = new Set(
      dockerfile.runtimeInstructions
        .filter((ins) => ins.keyword === 'COPY')
        .map((ins) => parseCopy(ins).from)
        .filter((from): from is string => from !== undefined),
    );
    assert.ok(sources.size > 0, `${DOCKERFILE}: the runtime stage copies nothing from a build stage`);
    for (const from of sources) {
      const build = stageNamed(dockerfile.stages, from, dockerfile.runtime.index);
      assert.ok(build, `${DOCKERFILE}: COPY --from=${from} names no earlier stage`);
      const buildRuns = runs(effectiveInstructions(dockerfile.stages, build)).join('\n');
      for (const step of [/\bnpm\s+ci\b/, /\bnpm\s+run\s+build\b/, /\bnpm\s+run\s+bundle\b/]) {
        assert.match(
          buildRuns,
          step,
          `${DOCKERFILE}: the build stage "${from}" must run ${step.source.replace(/\\[bs]\+?/g, ' ').trim()}`,
        );
      }
    }
  });

  test(`the runtime stage runs ${WORKER_ENTRY} with the pre-built workflow bundle, in production mode`, () => {
    const dockerfile = loadDockerfile();
    const copied = new Set<string>();
    const workdir = withWorkdir(dockerfile.runtimeInstructions, (ins, dir) => {
      if (ins.keyword === 'COPY') for (const file of copiedPaths(parseCopy(ins), dir)) copied.add(file);
    });
    const cmd = dockerfile.runtimeInstructions.filter((ins) => ins.keyword === 'CMD').at(-1);
    assert.ok(cmd, `${DOCKERFILE}: the runtime stage has no CMD`);
    const argv = execForm(cmd.args);
    assert.ok(
      argv,
      `${DOCKERFILE}: CMD must use the exec form (JSON array) so that SIGTERM reaches node: CMD ${cmd.args}`,
    );
    assert.equal(argv[0], 'node', `${DOCKERFILE}: CMD must start node directly (PID 1 gets SIGTERM), not ${argv[0]}`);
    const entry = path.posix.resolve(workdir, argv[1] ?? '');
    assert.equal(
      entry,
      path.posix.join(workdir, WORKER_ENTRY),
      `${DOCKERFILE}: CMD runs ${argv[1]}, but the worker compiles to ${WORKER_ENTRY}`,
    );
    assert.ok(
      [...copied].some((file) => entry.startsWith(`${file}/`) || entry === file),
      `${DOCKERFILE}: CMD runs ${entry}, but the runtime stage copies nothing there`,
    );

    const env = runtimeEnv(dockerfile);
    const bundle = env.get('EE_CANCEL_WORKFLOW_BUNDLE');
    assert.ok(
      bundle,
      `${DOCKERFILE}: the runtime stage must set EE_CANCEL_WORKFLOW_BUNDLE (else the worker bundles at every start)`,
    );
    const bundlePath = path.posix.resolve(workdir, bundle);
    assert.ok(
      copied.has(bundlePath),
      `${DOCKERFILE}: EE_CANCEL_WORKFLOW_BUNDLE=${bundle} but the runtime stage copies no file there`,
    );
    const bundleCopy = dockerfile.runtimeInstructions
      .filter((ins) => ins.keyword === 'COPY')
      .map(parseCopy)
      .find((spec) => copiedPaths(spec, workdir).includes(bundlePath));
    const fromStage =
      bundleCopy?.from === undefined
        ? undefined
        : stageNamed(dockerfile.stages, bundleCopy.from, dockerfile.runtime.index);
    if (bundleCopy && fromStage) {
      let buildWorkdir = '/';
      withWorkdir(effectiveInstructions(dockerfile.stages, fromStage), (_ins, dir) => (buildWorkdir = dir));
      const source = path.posix.resolve(buildWorkdir, bundleCopy.sources[0] ?? '');
      assert.equal(
        source,
        path.posix.join(buildWorkdir, BUNDLE_FILE),
        `${DOCKERFILE}: the bundle is copied from ${source}, but npm run bundle writes ${BUNDLE_FILE} (scripts/bundle-workflows.ts)`,
      );
    }
    assert.equal(env.get('NODE_ENV'), 'production', `${DOCKERFILE}: the runtime stage must set NODE_ENV=production`);
  });

  test('the runtime stage runs as the unprivileged node user and stops on SIGTERM', () => {
    const dockerfile = loadDockerfile();
    const user = dockerfile.runtimeInstructions.filter((ins) => ins.keyword === 'USER').at(-1)?.args;
    assert.equal(user, 'node', `${DOCKERFILE}: the runtime stage must end with USER node (runs as ${user ?? 'root'})`);
    const signal = dockerfile.runtimeInstructions.filter((ins) => ins.keyword === 'STOPSIGNAL').at(-1)?.args;
    assert.equal(signal, 'SIGTERM', `${DOCKERFILE}: STOPSIGNAL must be SIGTERM, the signal on which the worker drains`);
  });

  test('no credentials enter the image', () => {
    const { stages } = loadDockerfile();
    const secretName = /key|secret|credential|token|passw|service[-_]?account|\.pem$|\.p12$|\.pfx$|(^|\/)\.env/i;
    const manifests = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'tsconfig.json']);
    const rules = loadDockerignore();
    for (const stage of stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
          const spec = parseCopy(ins);
          for (const source of spec.sources) {
            const where = `${DOCKERFILE}:${ins.line}: ${ins.keyword} ${ins.args}`;
            assert.ok(
              !secretName.test(path.posix.basename(source)),
              `${where} copies ${source}, named like a credential`,
            );
            if (spec.from !== undefined) continue;
            assert.ok(
              !['.', './', '*', '/'].includes(source),
              `${where} copies the whole build context; copy what the image needs by name, so that no key file can slip in`,
            );
            assert.ok(
              !source.endsWith('.json') || manifests.has(path.posix.basename(source)),
              `${where} copies ${source}: a JSON file that is not an npm or TypeScript manifest (service-account keys are JSON)`,
            );
            if (!/[*?[]/.test(source)) {
              assert.ok(existsSync(path.join(ROOT, source)), `${where}: ${source} does not exist in the repository`);
              assert.ok(
                !isIgnored(rules, source),
                `${where}: ${source} is excluded by ${DOCKERIGNORE}, so the build fails`,
              );
            }
          }
        }
        if (ins.keyword === 'ENV' || ins.keyword === 'ARG') {
          for (const [name] of assignments(ins)) {
            assert.ok(
              !/KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i.test(name),
              `${DOCKERFILE}:${ins.line}: ${ins.keyword} ${name} looks like a secret; ENV and ARG values stay in the image's ` +
                'history: pass secrets at run time',
            );
          }
        }
      }
    }
  });

  test('the runtime stage sets only variables that the worker or Node reads', () => {
    for (const name of runtimeEnv(loadDockerfile()).keys()) {
      assert.ok(
        name in WORKER_ENV || name.startsWith('TEMPORAL_') || name === 'NODE_ENV' || name === 'NODE_OPTIONS',
        `${DOCKERFILE}: ENV ${name} is read by neither the worker (WORKER_ENV in src/config.ts) nor Node`,
      );
    }
  });

  test(`EXPOSE matches the metrics port that ${COMPOSE_FILE} gives the worker`, () => {
    const worker = service(loadCompose(), SERVICE.worker);
    const raw = envOf(worker).get('EE_CANCEL_METRICS_PORT');
    assert.ok(raw, `${COMPOSE_FILE}: the worker sets no EE_CANCEL_METRICS_PORT, so it serves no metrics`);
    const port = Number(raw);
    const exposed = exposedPorts(loadDockerfile());
    assert.ok(
      exposed.includes(port),
      `${DOCKERFILE} exposes ${exposed.join(', ') || 'no port'} but ${COMPOSE_FILE} sets EE_CANCEL_METRICS_PORT=${raw}`,
    );
    const published = containerPorts(worker);
    assert.ok(
      published.length === 0 || published.includes(port),
      `${COMPOSE_FILE}: the worker publishes container port(s) ${published.join(', ')} but serves metrics on ${port}`,
    );
  });
});

describe(`${DOCKERIGNORE}`, () => {
  test('keeps node_modules, dist and secrets out of the build context', () => {
    const rules = loadDockerignore();
    const cases: Array<[string, string]> = [
      ['node_modules', 'host-built native modules would shadow the Linux ones'],
      ['dist', 'stale host builds would shadow the image build'],
      ['secrets', 'key files must never reach an image layer'],
      ['secrets/ee-service-account.json', 'key files must never reach an image layer'],
    ];
    for (const [file, why] of cases) {
      assert.ok(isIgnored(rules, file), `${DOCKERIGNORE} must exclude ${file}: ${why}`);
    }
  });
});
