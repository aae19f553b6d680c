import type { ReactElement } from 'react';
import type { Entity } from '@backstage/catalog-model';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import { deliveryApiRef, type DeliveryApi } from '../api';
import { sampleEntity } from './status';

/** A typed DeliveryApi mock answering `getStatus` with `status`. */
export function mockDeliveryApi(
  status?: DeliveryStatus | Error,
): jest.Mocked<DeliveryApi> {
  return {
    getStatus: jest.fn(async (_entityRef: string) => {
      if (status instanceof Error) {
        throw status;
      }
      if (!status) {
        throw new Error('no status in this test');
      }
      return status;
    }),
    getEnvironments: jest.fn(async () => [
      { name: 'dev', changes: 'commit' as const, cluster: 'slipway-nonprod' },
      {
        name: 'staging',
        changes: 'commit' as const,
        cluster: 'slipway-nonprod',
      },
      {
        name: 'prod',
        changes: 'pull-request' as const,
        cluster: 'slipway-prod',
      },
    ]),
    rollback: jest.fn(),
    promote: jest.fn(),
    rolloutAction: jest.fn(),
  };
}

/** Renders `element` on an entity page for `entity`, with the given API and permission decisions. */
export function renderOnEntityPage(
  element: ReactElement,
  options: {
    api: jest.Mocked<DeliveryApi>;
    entity?: Entity;
    authorize?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  },
) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? sampleEntity}>
      {element}
    </EntityProvider>,
    {
      apis: [
        [deliveryApiRef, options.api],
        mockApis.permission({
          authorize: options.authorize ?? AuthorizeResult.ALLOW,
        }),
      ],
    },
  );
}
