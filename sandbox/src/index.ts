/**
 * Local stand-ins for GitHub, AWS (ECR, IAM, EKS, STS), Argo CD and Jenkins
 * that the real clients talk to. For development and tests only: nothing in
 * production configuration may import this package.
 *
 * @packageDocumentation
 */

export { startSandbox, SANDBOX_CREDENTIALS, DEFAULT_PORTS } from './server';
export type { Sandbox, SandboxOptions } from './server';
export {
  FaultInjector,
  parseFaults,
  PROVISIONING_FAULT_MIX,
  seededRandom,
} from './faults';
export type { Faults, FaultSpec, FaultStatus, Upstream } from './faults';
export { SEED } from './seed';
export { sandboxAppConfig } from './appConfig';
