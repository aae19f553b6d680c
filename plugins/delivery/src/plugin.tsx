import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';

import { rootRouteRef } from './routes';

export const page = PageBlueprint.make({
  params: {
    path: '/delivery',
    routeRef: rootRouteRef,
    loader: () => import('./components/TodoPage').then(m => <m.TodoPage />),
  },
});

export const deliveryPlugin = createFrontendPlugin({
  pluginId: 'delivery',
  extensions: [page],
  routes: {
    root: rootRouteRef,
  },
});
