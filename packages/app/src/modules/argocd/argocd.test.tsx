import { screen, waitFor } from '@testing-library/react';
import type { Entity } from '@backstage/catalog-model';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { createTestEntityPage } from '@backstage/plugin-catalog-react/testUtils';
import { argocdCompatPlugin, argocdOverviewCard } from './index';

const withAnnotations = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
  spec: { type: 'service', lifecycle: 'production', owner: 'payments-team' },
});

describe("Roadie's Argo CD cards in the new frontend system", () => {
  it('renders the overview card through its own API on an entity with argocd/app-name, and not the history card', async () => {
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
    // The card mounts and reaches Roadie's API client (built by the
    // converted plugin's API factory); jest blocks the network, so the
    // client's own "cannot locate" error is what shows.
    expect(await screen.findByText('ArgoCD overview')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        screen.getAllByText(/Cannot get argo location\(s\) for service/),
      ).toHaveLength(1),
    );
    expect(screen.queryByText(/No implementation available/)).toBeNull();
    // The history card would show other services' chart commits (the
    // revision is the helm-charts head): it is not part of the app.
    expect(screen.queryByText('ArgoCD history')).toBeNull();
  });

  it.each([
    ['argocd/app-name', true],
    ['argocd/app-selector', true],
    ['github.com/project-slug', false],
  ])('shows the card on an entity with %s: %s', (annotation, shown) => {
    const filter = createExtensionTester(argocdOverviewCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    expect(
      (filter as ((e: Entity) => boolean) | undefined)?.(
        withAnnotations({ [annotation]: 'x' }),
      ),
    ).toBe(shown);
  });

  it('leaves an entity without Argo CD annotations alone on its page', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({
          entity: withAnnotations({ 'github.com/project-slug': 'a/b' }),
        }),
        argocdOverviewCard,
      ],
    });
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
  });
});
