import {
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { Navigate, useLocation } from 'react-router-dom';

/** Sends `/` (and its query, e.g. catalog filters) to `/catalog`. */
function ToCatalog() {
  const { search, hash } = useLocation();
  return <Navigate to={{ pathname: '/catalog', search, hash }} replace />;
}

/**
 * `/` opens the catalog at `/catalog`, where every Backstage user, doc and
 * bookmark expects it (entity pages live under it too).
 */
const homeRedirect = PageBlueprint.make({
  name: 'home',
  params: {
    path: '/',
    noHeader: true,
    loader: async () => <ToCatalog />,
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'app',
  extensions: [homeRedirect],
});
