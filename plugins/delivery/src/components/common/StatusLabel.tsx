import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  BuildStatus,
  HealthStatus,
  HopState,
  SyncStatus,
} from '@internal/backstage-plugin-delivery-common';

type Tone = 'ok' | 'error' | 'running' | 'pending' | 'aborted' | 'warning';

const TONES = {
  ok: StatusOK,
  error: StatusError,
  running: StatusRunning,
  pending: StatusPending,
  aborted: StatusAborted,
  warning: StatusWarning,
} as const;

function ToneLabel(props: { tone: Tone; label: string }) {
  const Component = TONES[props.tone];
  return <Component>{props.label}</Component>;
}

const BUILD_TONES: Record<BuildStatus, Tone> = {
  succeeded: 'ok',
  failed: 'error',
  running: 'running',
  queued: 'pending',
  aborted: 'aborted',
  unknown: 'warning',
};

const HOP_TONES: Record<HopState, Tone> = {
  done: 'ok',
  failed: 'error',
  running: 'running',
  pending: 'pending',
  unknown: 'warning',
};

const SYNC_TONES: Record<SyncStatus, Tone> = {
  Synced: 'ok',
  OutOfSync: 'warning',
  Unknown: 'warning',
};

const HEALTH_TONES: Record<HealthStatus, Tone> = {
  Healthy: 'ok',
  Progressing: 'running',
  Degraded: 'error',
  Suspended: 'aborted',
  Missing: 'error',
  Unknown: 'warning',
};

/** A build's status with its colour and icon. */
export function BuildStatusLabel(props: { status: BuildStatus }) {
  return <ToneLabel tone={BUILD_TONES[props.status]} label={props.status} />;
}

/** A timeline hop's state with its colour and icon. */
export function HopStateLabel(props: { state: HopState }) {
  return <ToneLabel tone={HOP_TONES[props.state]} label={props.state} />;
}

/** Argo CD's sync status with its colour and icon. */
export function SyncStatusLabel(props: { status: SyncStatus }) {
  return (
    <ToneLabel
      tone={SYNC_TONES[props.status] ?? 'warning'}
      label={props.status}
    />
  );
}

/** Argo CD's health status with its colour and icon. */
export function HealthStatusLabel(props: { status: HealthStatus }) {
  return (
    <ToneLabel
      tone={HEALTH_TONES[props.status] ?? 'warning'}
      label={props.status}
    />
  );
}

// Argo Rollouts' phases of a Rollout: a paused canary waits for someone.
const ROLLOUT_TONES: Record<string, Tone> = {
  Healthy: 'ok',
  Progressing: 'running',
  Paused: 'pending',
  Degraded: 'error',
};

/** A Rollout's phase (Healthy, Progressing, Paused, Degraded) with its colour and icon. */
export function RolloutPhaseLabel(props: { phase: string }) {
  return (
    <ToneLabel
      tone={ROLLOUT_TONES[props.phase] ?? 'warning'}
      label={props.phase}
    />
  );
}

const ANALYSIS_TONES: Record<string, Tone> = {
  Successful: 'ok',
  Running: 'running',
  Pending: 'pending',
  Failed: 'error',
  Error: 'error',
  Inconclusive: 'warning',
};

/** An AnalysisRun's phase with its colour and icon. */
export function AnalysisPhaseLabel(props: { phase: string }) {
  return (
    <ToneLabel
      tone={ANALYSIS_TONES[props.phase] ?? 'warning'}
      label={props.phase}
    />
  );
}
