import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/** Replaces the app's sign-in page with {@link DevelopmentSignInPage}. */
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () =>
      (await import('./DevelopmentSignInPage')).DevelopmentSignInPage,
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage],
});
