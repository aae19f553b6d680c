import { screen, waitFor } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import {
  argocdCompatPlugin,
  argocdHistoryCard,
  argocdOverviewCard,
} from './index';

const withAnnotations = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

describe("Roadie's Argo CD cards in the new frontend system", () => {
  it('renders the overview and history cards, through their own API, on an entity with argocd/app-name', async () => {
    expect(argocdCompatPlugin.pluginId).toBe('argocd');
    renderTestApp({
      features: [argocdCompatPlugin],
      extensions: [
        createTestEntityPage({
          entity: withAnnotations({ 'argocd/app-name': 'payments-api' }),
        }),
      ],
      config: {
        backend: { baseUrl: 'http://backstage.test' },
        argocd: {
          appLocatorMethods: [
            { type: 'config', instances: [{ name: 'sandbox', url: 'x' }] },
          ],
        },
      },
    });
    // Both cards mount and reach Roadie's API client (built by the converted
    // plugin's API factory); jest blocks the network, so the client's own
    // "cannot locate" error is what shows.
    expect(await screen.findByText('ArgoCD overview')).toBeInTheDocument();
    expect(await screen.findByText('ArgoCD history')).toBeInTheDocument();
    // Both cards answer on their own: wait for the second, not the first.
    await waitFor(() =>
      expect(
        screen.getAllByText(/Cannot get argo location\(s\) for service/),
      ).toHaveLength(2),
    );
    expect(screen.queryByText(/No implementation available/)).toBeNull();
  });

  it.each([
    ['argocd/app-name', true],
    ['argocd/app-selector', true],
    ['github.com/project-slug', false],
  ])('shows the cards on an entity with %s: %s', (annotation, shown) => {
    for (const card of [argocdOverviewCard, argocdHistoryCard]) {
      const filter = createExtensionTester(card).get(
        EntityCardBlueprint.dataRefs.filterFunction,
      );
      expect(
        (filter as ((e: Entity) => boolean) | undefined)?.(
          withAnnotations({ [annotation]: 'x' }),
        ),
      ).toBe(shown);
    }
  });

  it('leaves an entity without Argo CD annotations alone on its page', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({
          entity: withAnnotations({ 'github.com/project-slug': 'a/b' }),
        }),
        argocdOverviewCard,
        argocdHistoryCard,
      ],
    });
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
  });
});
