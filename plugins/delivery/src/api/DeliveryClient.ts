import type { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeliveryStatus,
  EnvironmentSummary,
  PromoteRequest,
  ReleaseResult,
  RollbackRequest,
  RolloutActionRequest,
  RolloutActionResult,
} from '@internal/backstage-plugin-delivery-common';
import type { DeliveryApi } from './DeliveryApi';

/**
 * {@link DeliveryApi} over HTTP: the delivery backend's base URL comes from
 * the discovery API, and every call goes through the fetch API (which adds
 * the user's credentials).
 *
 * @public
 */
export class DeliveryClient implements DeliveryApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  async getStatus(entityRef: string): Promise<DeliveryStatus> {
    return this.request<DeliveryStatus>(
      `/status?${new URLSearchParams({ entityRef })}`,
    );
  }

  async getEnvironments(): Promise<EnvironmentSummary[]> {
    return (
      await this.request<{ environments: EnvironmentSummary[] }>(
        '/environments',
      )
    ).environments;
  }

  async rollback(request: RollbackRequest): Promise<ReleaseResult> {
    return this.request<ReleaseResult>('/rollback', {
      method: 'POST',
      body: request,
    });
  }

  async promote(request: PromoteRequest): Promise<ReleaseResult> {
    return this.request<ReleaseResult>('/promote', {
      method: 'POST',
      body: request,
    });
  }

  async rolloutAction(
    request: RolloutActionRequest,
  ): Promise<RolloutActionResult> {
    return this.request<RolloutActionResult>('/rollout', {
      method: 'POST',
      body: request,
    });
  }

  private async request<T>(
    path: string,
    options: { method?: 'GET' | 'POST'; body?: unknown } = {},
  ): Promise<T> {
    const baseUrl = await this.#discoveryApi.getBaseUrl('delivery');
    const res = await this.#fetchApi.fetch(`${baseUrl}${path}`, {
      method: options.method ?? 'GET',
      ...(options.body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options.body),
      }),
    });
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as T;
  }
}
