import type { ConsoleRuntimeConfig } from '../runtime-config';
import { accessToken } from './auth';

/** The API's RFC 9457 problem document, thrown for any non-2xx answer. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiProblem';
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T>;
}

export function createApi(config: ConsoleRuntimeConfig, onSignedOut: () => void): Api {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const token = await accessToken(config);
    if (!token) {
      onSignedOut();
      throw new ApiProblem(401, 'Unauthorized');
    }
    const response = await fetch(`${config.apiBaseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (!response.ok) {
      const problem = (parsed ?? {}) as { title?: string; detail?: string; message?: string; errors?: [] };
      throw new ApiProblem(
        response.status,
        problem.title ?? problem.message ?? `HTTP ${response.status}`,
        problem.detail,
        problem.errors,
      );
    }
    return parsed as T;
  };
  return {
    get: (path, query = {}) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined && value !== '') search.set(key, String(value));
      const suffix = search.size > 0 ? `?${search}` : '';
      return call('GET', `${path}${suffix}`);
    },
    post: (path, body, headers) => call('POST', path, body, headers),
  };
}

export const encode = encodeURIComponent;
