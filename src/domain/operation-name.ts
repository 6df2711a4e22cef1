/**
 * Validation of Earth Engine operation names. The name becomes part of a URL path with our bearer token attached,
 * so it is checked strictly: only `projects/{project}/operations/{id}` in plain ASCII, nothing that a URL parser or
 * a proxy could read as a query, a fragment, an escape or a path traversal.
 */

export const MAX_OPERATION_NAME_LENGTH = 400;

// Cloud project IDs: 6-30 lowercase letters, digits and hyphens, starting with a letter; legacy domain-scoped IDs
// (`example.com:my-project`); or a project number. Earth Engine also serves the `earthengine-legacy` project.
const PROJECT_ID =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_NUMBER = /^[0-9]{1,20}$/;
// Operation IDs are opaque; Earth Engine uses letters and digits. The resource pattern allows `**`, so we accept
// several segments, each made of URL-safe unreserved characters but never dots (no `.` or `..` segments).
const OPERATION_ID_SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

export type OperationNameCheck =
  { ok: true; name: string; project: string; operationId: string } | { ok: false; problem: string };

export function checkOperationName(value: unknown): OperationNameCheck {
  if (value === undefined || value === null) {
    return { ok: false, problem: '"name" is required, e.g. "projects/my-project/operations/ABCD1234"' };
  }
  if (typeof value !== 'string') {
    return { ok: false, problem: `"name" must be a string, got ${typeof value}` };
  }
  if (value.length === 0) {
    return { ok: false, problem: '"name" is empty' };
  }
  if (value.length > MAX_OPERATION_NAME_LENGTH) {
    return {
      ok: false,
      problem: `"name" is ${value.length} characters long; at most ${MAX_OPERATION_NAME_LENGTH} are accepted`,
    };
  }
  if (/[^\x21-\x7e]/.test(value)) {
    return {
      ok: false,
      problem: '"name" contains whitespace, control or non-ASCII characters (look-alike letters?); use plain ASCII',
    };
  }
  const forbidden = value.match(/[?#%\\@;&=+$,'"<>`{}|^[\]]/);
  if (forbidden) {
    return {
      ok: false,
      problem: `"name" contains ${JSON.stringify(forbidden[0])}; query, fragment, escape and other URL syntax is not allowed`,
    };
  }
  const segments = value.split('/');
  if (segments.some((s) => s === '')) {
    return { ok: false, problem: '"name" has an empty path segment (a leading, trailing or doubled "/")' };
  }
  if (segments.some((s) => s === '.' || s === '..')) {
    return { ok: false, problem: '"name" contains a "." or ".." path segment' };
  }
  if (segments.length < 4 || segments[0] !== 'projects' || segments[2] !== 'operations') {
    return {
      ok: false,
      problem: `"name" must look like "projects/{project}/operations/{id}", got ${JSON.stringify(value)}`,
    };
  }
  const project = segments[1]!;
  if (!PROJECT_ID.test(project) && !PROJECT_NUMBER.test(project)) {
    return {
      ok: false,
      problem: `"${project}" is not a valid Cloud project ID (6-30 lowercase letters, digits or hyphens, starting with a letter) or project number`,
    };
  }
  const idSegments = segments.slice(3);
  const badSegment = idSegments.find((s) => !OPERATION_ID_SEGMENT.test(s));
  if (badSegment !== undefined) {
    return {
      ok: false,
      problem: `operation ID segment ${JSON.stringify(badSegment)} may only contain letters, digits, "_" and "-"`,
    };
  }
  return { ok: true, name: value, project, operationId: idSegments.join('/') };
}

export function checkProjectId(value: unknown): { ok: true; project: string } | { ok: false; problem: string } {
  if (typeof value !== 'string' || value === '')
    return { ok: false, problem: '"project" is required: a Cloud project ID' };
  if (!PROJECT_ID.test(value) && !PROJECT_NUMBER.test(value)) {
    return {
      ok: false,
      problem: `"${value.slice(0, 100)}" is not a valid Cloud project ID (6-30 lowercase letters, digits or hyphens, starting with a letter) or project number`,
    };
  }
  return { ok: true, project: value };
}

/** The project part of a name already validated by {@link checkOperationName}. */
export function projectOf(name: string): string {
  return name.split('/')[1] ?? '';
}
