/*
 * The name rules of names.ts as zod schemas for scaffolder action inputs:
 * the same patterns and lengths the checks use, so the scaffolder refuses a
 * bad value before the handler runs, and the handler (which checks again,
 * with the rule's own sentence) and the schema cannot drift apart.
 *
 * Actions receive their zod from the scaffolder (`name: z => ...`); these
 * take it as a parameter, so this package needs zod's types only.
 */

import type { z as zod } from 'zod/v3';
import {
  DNS1123_LABEL_PATTERN,
  SERVICE_NAME_PATTERN,
  SERVICE_NAMESPACE_PATTERN,
} from './names';

/** The zod the scaffolder hands an action's schema callbacks. @public */
export type ScaffolderZod = typeof zod;

/**
 * A service name (2-40 characters, DNS-1123, starting with a letter). The
 * constraints are the ones `checkServiceName` applies, in a form JSON schema
 * keeps (`minLength`, `maxLength`, `pattern`): the scaffolder validates an
 * action's input against its JSON schema before the handler runs. @public
 */
export function serviceNameInput(z: ScaffolderZod, description: string) {
  return z
    .string({ description })
    .min(2)
    .max(40)
    .regex(new RegExp(SERVICE_NAME_PATTERN), 'is not a service name');
}

/**
 * The namespace a service deploys into: a DNS-1123 label, not kube-*,
 * default or argocd (the installation's own reserved list is checked by the
 * handler, which has the config). @public
 */
export function serviceNamespaceInput(z: ScaffolderZod, description: string) {
  return z
    .string({ description })
    .max(63)
    .regex(
      new RegExp(SERVICE_NAMESPACE_PATTERN),
      'is not a namespace a service may use',
    );
}

/** A Kubernetes service account name (a DNS-1123 label). @public */
export function serviceAccountInput(z: ScaffolderZod, description: string) {
  return z
    .string({ description })
    .max(63)
    .regex(new RegExp(DNS1123_LABEL_PATTERN), 'is not a DNS-1123 label');
}

/** The `adopt` input every creating action takes, described once. @public */
export const ADOPT_DESCRIPTION =
  "Take over this service's existing resources (bound to component:default/<name>) on purpose, e.g. when migrating a service into Slipway. Only the service's owners (or a platform group) may; audited. Default false: a resource this task did not create is refused.";

/** The optional `adopt` input. @public */
export function adoptInput(z: ScaffolderZod) {
  return z.boolean({ description: ADOPT_DESCRIPTION }).optional();
}

/**
 * The `name` input of an action that works on one service, as an input
 * map to spread into the action's schema.
 *
 * @public
 */
export function serviceInputs(nameDescription: string) {
  return {
    name: (z: ScaffolderZod) => serviceNameInput(z, nameDescription),
  };
}

/**
 * The inputs every creating action takes: the service's `name`, and
 * `adopt` (see {@link ADOPT_DESCRIPTION}).
 *
 * @public
 */
export function creationInputs(nameDescription: string) {
  return {
    ...serviceInputs(nameDescription),
    adopt: (z: ScaffolderZod) => adoptInput(z),
  };
}

/** The `entityRef` input every decommission action takes, described once. @public */
export const DECOMMISSION_ENTITY_REF_DESCRIPTION =
  'The Component being decommissioned, e.g. component:default/orders. The task initiator must own it (or belong to a platform group); only resources bound to exactly this entity are touched.';

/**
 * The inputs every decommission action takes: the Component's
 * `entityRef`, and an optional `name` that must be the entity's.
 *
 * @public
 */
export function decommissionInputs(nameDescription: string) {
  return {
    entityRef: (z: ScaffolderZod) =>
      z.string({ description: DECOMMISSION_ENTITY_REF_DESCRIPTION }),
    name: (z: ScaffolderZod) => serviceNameInput(z, nameDescription).optional(),
  };
}

/**
 * The optional `chartPath` input: the chart's folder in helm-charts, which
 * the layout fixes at `charts/<name>` (the handler refuses anything else).
 *
 * @public
 */
export function chartPathInput(z: ScaffolderZod) {
  return z
    .string({
      description:
        "Folder of the chart in helm-charts: charts/<name> (the default), the layout's only place for it; anything else is refused.",
    })
    .optional();
}
