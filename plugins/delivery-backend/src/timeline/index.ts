/*
 * The commit-to-running timeline and the DORA four keys, computed from the
 * status sections. Pure functions; the status service calls them.
 */

export { buildTimeline, summariseFindings } from './timeline';
export type { TimelineInput } from './timeline';
export { computeDora, doraDeployments, median } from './dora';
export type { DoraDeployment, DoraDeploymentsInput, DoraInput } from './dora';
export { withCanary } from './canary';
