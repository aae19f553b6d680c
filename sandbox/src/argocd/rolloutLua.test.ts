/*
 * Contract: every case of Argo CD's own tests for its Rollout Lua
 * (health_test.yaml, actions/action_test.yaml, copied unchanged into
 * specs/argocd-rollout-customizations/) holds for the TypeScript port.
 */

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  analysisRunHealth,
  deploymentActions,
  LuaError,
  luaToNumber,
  rolloutActions,
  rolloutHealth,
  runDeploymentAction,
  runRolloutAction,
  UnknownActionError,
} from './rolloutLua';

const DIR = path.resolve(
  __dirname,
  '../../../specs/argocd-rollout-customizations',
);
const load = (file: string) => parse(fs.readFileSync(file, 'utf8'));

interface HealthCase {
  healthStatus: { status: string; message?: string };
  inputPath: string;
}
interface DiscoveryCase {
  inputPath: string;
  result: Array<{ name: string; disabled?: boolean; displayName?: string }>;
}
interface ActionCase {
  action: string;
  inputPath: string;
  expectedOutputPath: string;
}

const healthTests: HealthCase[] = load(
  path.join(DIR, 'health_test.yaml'),
).tests;
const actionTests: {
  discoveryTests: DiscoveryCase[];
  actionTests: ActionCase[];
} = load(path.join(DIR, 'actions/action_test.yaml'));

/** Go compares structs: an absent string is "", an absent bool is false. */
const goAction = (a: {
  name: string;
  disabled?: boolean;
  displayName?: string;
}) => ({
  name: a.name,
  disabled: a.disabled ?? false,
  displayName: a.displayName ?? '',
});
const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name);

/** A field set to null is a field removed: Argo CD applies the result as a JSON merge patch. */
function dropNulls(v: any): any {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  }
  return v;
}

/** Argo CD's test normalizer for Rollouts: restartAt comes from the clock. */
function normalized(obj: any) {
  const copy = dropNulls(obj);
  if (copy?.spec) delete copy.spec.restartAt;
  return copy;
}

describe("Argo CD's Rollout Lua, ported", () => {
  it('has the whole contract on disk', () => {
    expect(healthTests.length).toBeGreaterThanOrEqual(20);
    expect(actionTests.discoveryTests.length).toBeGreaterThanOrEqual(9);
    expect(actionTests.actionTests.length).toBeGreaterThanOrEqual(8);
  });

  describe('health.lua (health_test.yaml)', () => {
    it.each(healthTests.map(t => [t.inputPath, t] as const))('%s', (_, t) => {
      const obj = load(path.join(DIR, t.inputPath));
      const got = rolloutHealth(obj);
      expect({ status: got.status, message: got.message ?? '' }).toEqual({
        status: t.healthStatus.status,
        message: t.healthStatus.message ?? '',
      });
    });
  });

  describe('actions/discovery.lua (discoveryTests)', () => {
    it.each(actionTests.discoveryTests.map(t => [t.inputPath, t] as const))(
      '%s',
      (_, t) => {
        const obj = load(path.join(DIR, 'actions', t.inputPath));
        expect(rolloutActions(obj).map(goAction).sort(byName)).toEqual(
          t.result.map(goAction).sort(byName),
        );
      },
    );
  });

  describe('actions/<name>/action.lua (actionTests)', () => {
    it.each(
      actionTests.actionTests.map(
        t => [`${t.action} ${t.inputPath}`, t] as const,
      ),
    )('%s', (_, t) => {
      const input = load(path.join(DIR, 'actions', t.inputPath));
      const expected = load(path.join(DIR, 'actions', t.expectedOutputPath));
      const before = structuredClone(input);
      const out = runRolloutAction(
        t.action,
        input,
        new Date('2026-03-02T09:00:00Z'),
      );
      expect(normalized(out)).toEqual(normalized(expected));
      // The action works on a copy, like the Lua VM on a decoded object.
      expect(input).toEqual(before);
    });
  });

  it('restart sets restartAt from the clock, as os.date("!%Y-%m-%dT%XZ")', () => {
    const input = load(
      path.join(DIR, 'actions/testdata/rollout_not_restarted.yaml'),
    );
    const out = runRolloutAction(
      'restart',
      input,
      new Date('2026-03-02T09:15:07.250Z'),
    );
    expect(out.spec.restartAt).toBe('2026-03-02T09:15:07Z');
  });

  it('refuses an action Argo CD has no script for, and raises Lua errors', () => {
    const obj = load(path.join(DIR, 'actions/testdata/healthy_rollout.yaml'));
    expect(() => runRolloutAction('scale', obj, new Date())).toThrow(
      UnknownActionError,
    );
    expect(() => runRolloutAction('toString', obj, new Date())).toThrow(
      'built-in script does not exist',
    );
    // skip-current-step compares a nil currentStepIndex: a Lua error.
    const noIndex = load(
      path.join(DIR, 'actions/testdata/has_pause_condition_rollout.yaml'),
    );
    delete noIndex.status.currentStepIndex;
    expect(() =>
      runRolloutAction('skip-current-step', noIndex, new Date()),
    ).toThrow(LuaError);
    // A health script error is Unknown health, not an exception: a numeric
    // observedGeneration compared with a missing generation.
    const numeric = load(
      path.join(DIR, 'actions/testdata/aborted_rollout.yaml'),
    );
    expect(rolloutHealth({ ...numeric, metadata: {} })).toEqual({
      status: 'Unknown',
      message: 'attempt to compare nil with number',
    });
  });

  it("follows Lua's tonumber", () => {
    expect(luaToNumber('3')).toBe(3);
    expect(luaToNumber(' 3 ')).toBe(3);
    expect(luaToNumber('0x10')).toBe(16);
    expect(luaToNumber('1e2')).toBe(100);
    expect(luaToNumber('74dbb4676d')).toBeUndefined();
    expect(luaToNumber('abc123')).toBeUndefined();
    expect(luaToNumber(undefined)).toBeUndefined();
  });

  it("gives an AnalysisRun's health as its health.lua does", () => {
    expect(analysisRunHealth({ status: { phase: 'Running' } })).toEqual({
      status: 'Progressing',
      message: 'Analysis run is running',
    });
    expect(
      analysisRunHealth({
        status: { phase: 'Failed', message: 'Metric "readiness" failed' },
      }),
    ).toEqual({ status: 'Degraded', message: 'Metric "readiness" failed' });
    expect(analysisRunHealth({ status: { phase: 'Successful' } })).toEqual({
      status: 'Healthy',
      message: 'Analysis run completed successfully',
    });
    expect(analysisRunHealth({}).status).toBe('Progressing');
  });

  it("offers and runs apps/Deployment's built-in actions", () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 2, template: { spec: {} } },
    };
    const offered = (obj: any) =>
      Object.fromEntries(deploymentActions(obj).map(a => [a.name, a.disabled]));
    expect(offered(deployment)).toEqual({
      restart: false,
      pause: false,
      resume: true,
      scale: false,
    });
    const now = new Date('2026-03-02T09:00:00Z');
    const paused = runDeploymentAction('pause', deployment, now);
    expect(offered(paused)).toEqual({
      restart: false,
      pause: true,
      resume: false,
      scale: false,
    });
    expect(runDeploymentAction('resume', paused, now).spec.paused).toBe(
      undefined,
    );
    expect(
      runDeploymentAction('restart', deployment, now).spec.template.metadata
        .annotations,
    ).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-03-02T09:00:00Z' });
    expect(
      runDeploymentAction('scale', deployment, now, { replicas: '6' }).spec
        .replicas,
    ).toBe(6);
    expect(() =>
      runDeploymentAction('scale', deployment, now, {
        replicas: 'not_a_number',
      }),
    ).toThrow('invalid number: not_a_number');
    expect(() => runDeploymentAction('promote-full', deployment, now)).toThrow(
      UnknownActionError,
    );
  });
});
