/*
 * Slipway's own lint rules, added to Backstage's eslint factory by every
 * package of the product (packages/*, plugins/*).
 *
 * The sandbox stands in for GitHub, AWS, Argo CD and Jenkins in dev, tests
 * and benches only: production source (src/, outside tests and
 * __testUtils__) may not import it. Tests, __testUtils__ and dev/ folders are
 * linted with Backstage's test rules, which leave it allowed.
 */
const sandboxMessage =
  'The sandbox is for tests, __testUtils__, dev/ folders and benches only; production code reaches upstreams through delivery-node clients built from config.';

module.exports = {
  product: {
    restrictedSrcImports: [
      { name: '@internal/sandbox', message: sandboxMessage },
    ],
    // Subpaths too (patterns are plain strings in Backstage's rule).
    restrictedImportPatterns: ['@internal/sandbox/*'],
  },
};
