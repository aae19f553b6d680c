/*
 * Configuration the portal's frontend reads beyond Backstage's own.
 */
export interface Config {
  auth?: {
    providers?: {
      /**
       * Development sign-in as an example user (packages/backend,
       * modules/developmentSignIn.ts). Never in production.
       */
      development?: {
        /**
         * Names of User entities (default namespace) one may sign in as;
         * the sign-in page offers each.
         * @visibility frontend
         */
        users: string[];
      };
    };
  };
}
