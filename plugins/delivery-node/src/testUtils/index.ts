/**
 * Test utilities: Slipway's real permission policy over a test catalog.
 *
 * @packageDocumentation
 */
export * from './policyPermissions';
export * from './serviceAccess';
