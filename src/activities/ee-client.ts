/**
 * A small Earth Engine Operations client: plain HTTP through google-auth-library's authorized client, so that
 * credentials come from Application Default Credentials and never pass through our code as data.
 */
import { GoogleAuth } from 'google-auth-library';
import type { EeOperation } from '../shared';
import { faultFromHttp, faultFromMalformedBody, faultFromTransport, type ApiFault } from '../domain/api-errors';
import { checkOperationName, checkProjectId, projectOf } from '../domain/operation-name';
import { redact } from '../domain/redact';

export const EE_SCOPES = [
  'https://www.googleapis.com/auth/earthengine',
  'https://www.googleapis.com/auth/cloud-platform',
];

export const LIST_PAGE_SIZE = 500;

export type ApiResult<T> = { ok: true; value: T; httpStatus: number } | { ok: false; fault: ApiFault };

/** What the activities need from an Earth Engine client; tests may pass any implementation. */
export interface ListPage {
  operations?: EeOperation[];
  nextPageToken?: string;
}

export interface OperationsApi {
  get(name: string, signal?: AbortSignal): Promise<ApiResult<EeOperation>>;
  list(project: string, pageToken: string | undefined, signal?: AbortSignal): Promise<ApiResult<ListPage>>;
  cancel(name: string, signal?: AbortSignal): Promise<ApiResult<Record<string, never>>>;
}

export interface EeClientOptions {
  /** API root, e.g. https://earthengine.googleapis.com/v1 (no trailing slash). */
  apiUrl: string;
  /** Sent as X-Goog-User-Project; defaults to the operation's own project, as the official clients do. */
  quotaProject?: string;
  requestTimeoutMs: number;
  auth?: GoogleAuth;
}

type AuthorizedClient = Awaited<ReturnType<GoogleAuth['getClient']>>;

export class EarthEngineOperationsClient implements OperationsApi {
  private readonly apiUrl: string;
  private readonly auth: GoogleAuth;
  private client?: Promise<AuthorizedClient>;

  constructor(private readonly options: EeClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.auth = options.auth ?? new GoogleAuth({ scopes: EE_SCOPES });
  }

  get(name: string, signal?: AbortSignal): Promise<ApiResult<EeOperation>> {
    return this.call<EeOperation>('GET', name, '', signal);
  }

  cancel(name: string, signal?: AbortSignal): Promise<ApiResult<Record<string, never>>> {
    // The cancel method takes an empty body.
    return this.call<Record<string, never>>('POST', name, ':cancel', signal);
  }

  /** One page of the project's operations; the official clients page by 500 and filter on their side too. */
  list(project: string, pageToken: string | undefined, signal?: AbortSignal): Promise<ApiResult<ListPage>> {
    return this.request<ListPage>('GET', this.listUrlFor(project, pageToken), project, signal);
  }

  listUrlFor(project: string, pageToken: string | undefined): string {
    const check = checkProjectId(project);
    if (!check.ok) throw new TypeError(`refusing to build a URL for an invalid project: ${check.problem}`);
    const query = new URLSearchParams({ pageSize: String(LIST_PAGE_SIZE), ...(pageToken && { pageToken }) });
    return `${this.apiUrl}/projects/${check.project}/operations?${query.toString()}`;
  }

  /** Only `{apiUrl}/{name}` and `{apiUrl}/{name}:cancel` can ever be requested. */
  urlFor(name: string, verb: '' | ':cancel'): string {
    const check = checkOperationName(name);
    if (!check.ok) throw new TypeError(`refusing to build a URL for an invalid operation name: ${check.problem}`);
    return `${this.apiUrl}/${check.name}${verb}`;
  }

  private authorizedClient(): Promise<AuthorizedClient> {
    this.client ??= this.auth.getClient().catch((err: unknown) => {
      this.client = undefined; // try again on the next call: ADC may appear later (a mounted secret)
      throw err;
    });
    return this.client;
  }

  private call<T>(
    method: 'GET' | 'POST',
    name: string,
    verb: '' | ':cancel',
    signal?: AbortSignal,
  ): Promise<ApiResult<T>> {
    return this.request<T>(method, this.urlFor(name, verb), projectOf(name), signal);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    url: string,
    project: string,
    signal?: AbortSignal,
  ): Promise<ApiResult<T>> {
    const quotaProject = this.options.quotaProject ?? project;
    let response;
    try {
      const client = await this.authorizedClient();
      response = await client.request<string>({
        url,
        method,
        headers: {
          accept: 'application/json',
          ...(quotaProject && { 'x-goog-user-project': quotaProject }),
          ...(method === 'POST' && { 'content-type': 'application/json' }),
        },
        ...(method === 'POST' && { data: '' }),
        responseType: 'text',
        timeout: this.options.requestTimeoutMs,
        validateStatus: () => true,
        retry: false, // Temporal's retry policy is the one place that retries
        ...(signal && { signal }),
      });
    } catch (err) {
      return { ok: false, fault: this.faultFromThrown(err, url) };
    }
    const bodyText = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    if (response.status < 200 || response.status > 299) {
      const retryAfter = response.headers.get('retry-after') ?? undefined;
      return {
        ok: false,
        fault: faultFromHttp(
          { httpStatus: response.status, bodyText, ...(retryAfter && { retryAfterHeader: retryAfter }) },
          Date.now(),
        ),
      };
    }
    let value: unknown;
    try {
      value = bodyText.trim() === '' ? {} : JSON.parse(bodyText);
    } catch {
      return {
        ok: false,
        fault: faultFromMalformedBody(response.status, 'a body that is not valid JSON (truncated?)'),
      };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, fault: faultFromMalformedBody(response.status, 'a JSON body that is not an object') };
    }
    return { ok: true, value: value as T, httpStatus: response.status };
  }

  /**
   * Errors thrown by the library carry the request configuration, headers included: only a code and a redacted
   * message leave this function.
   */
  private faultFromThrown(err: unknown, url: string): ApiFault {
    const e = err as { code?: unknown; message?: unknown; config?: { url?: unknown }; name?: unknown };
    const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? String(e.code) : undefined;
    const message = typeof e?.message === 'string' ? e.message : String(err);
    const rawUrl = e?.config?.url;
    const failedUrl = rawUrl instanceof URL ? rawUrl.href : typeof rawUrl === 'string' ? rawUrl : undefined;
    if (failedUrl !== undefined && !failedUrl.startsWith(url)) {
      // The token request failed (metadata server, token endpoint): the worker's credentials, not Earth Engine.
      return {
        status: 'CREDENTIALS_UNAVAILABLE',
        message: redact(`could not obtain an access token from Application Default Credentials (${code ?? 'error'})`),
        retryable: true,
      };
    }
    if (
      failedUrl === undefined &&
      !(code && /^E[A-Z]+$/.test(code)) &&
      e?.name !== 'AbortError' &&
      e?.name !== 'TimeoutError'
    ) {
      // Thrown before any request, e.g. "Could not load the default credentials".
      return {
        status: 'CREDENTIALS_UNAVAILABLE',
        message: redact(`Application Default Credentials are not usable: ${message}`).slice(0, 300),
        retryable: true,
      };
    }
    return faultFromTransport(
      code ?? (typeof e?.name === 'string' ? e.name : undefined),
      message.replace(url, '<operation URL>'),
    );
  }
}
