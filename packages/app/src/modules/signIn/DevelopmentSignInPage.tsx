import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import {
  configApiRef,
  IdentityApi,
  SignInPageProps,
  useApi,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** The header the backend's development provider reads (packages/backend, developmentSignIn.ts). */
const USER_HEADER = 'x-slipway-development-user';
/** Who was chosen, so a reload signs in as the same user. */
const STORAGE_KEY = 'slipway:development-user';

function remembered(users: string[]): string | undefined {
  const stored = window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  return stored && users.includes(stored) ? stored : undefined;
}

/** The identity, with sign-out also forgetting who was chosen. */
function forgettingOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(STORAGE_KEY);
      await identity.signOut();
    },
  };
}

/**
 * The sign-in page. In development (`auth.providers.development.users` in
 * app-config.yaml) it offers each example user, so one can be a member of
 * one team or another; otherwise it is Backstage's guest sign-in page.
 */
export function DevelopmentSignInPage(props: SignInPageProps) {
  const config = useApi(configApiRef);
  const users =
    config.getOptionalStringArray('auth.providers.development.users') ?? [];
  const [user, setUser] = useState(() => remembered(users));

  if (users.length === 0) {
    return <SignInPage {...props} providers={['guest']} />;
  }
  if (user) {
    return (
      <ProxiedSignInPage
        provider="development"
        headers={{ [USER_HEADER]: user }}
        onSignInSuccess={identity =>
          props.onSignInSuccess(forgettingOnSignOut(identity))
        }
      />
    );
  }
  const choose = (name: string) => {
    window.localStorage.setItem(STORAGE_KEY, name);
    setUser(name);
  };
  return (
    <Page themeId="home">
      <Header title={config.getString('app.title')} />
      <Content>
        <Typography variant="body1" paragraph>
          Development sign-in: choose who you are. Each example user belongs to
          its own team (examples/org.yaml), so you see what that team may change
          and what it may not.
        </Typography>
        <Grid container spacing={2}>
          {users.map(name => (
            <Grid item xs={12} sm={6} md={4} key={name}>
              <InfoCard title={name} subheader={`user:default/${name}`}>
                <Button
                  variant="contained"
                  color="primary"
                  onClick={() => choose(name)}
                >
                  Sign in as {name}
                </Button>
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
