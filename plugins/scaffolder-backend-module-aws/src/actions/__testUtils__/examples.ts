import { JsonObject } from '@backstage/config';
import { parse } from 'yaml';

/** The inputs of every step in an example's YAML that uses `actionId`. */
export function exampleInputs(yaml: string, actionId: string): JsonObject[] {
  const doc = parse(yaml) as {
    steps?: Array<{ action?: string; input?: JsonObject }>;
  };
  const steps = (doc.steps ?? []).filter(s => s.action === actionId);
  if (!steps.length) throw new Error(`example has no ${actionId} step`);
  return steps.map(s => s.input ?? {});
}
