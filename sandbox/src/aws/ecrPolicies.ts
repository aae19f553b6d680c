/*
 * ECR repository policies: lifecycle policies (Put/Get/DeleteLifecyclePolicy)
 * and repository permission policies (Set/Get/DeleteRepositoryPolicy), with
 * the document checks ECR applies before storing them.
 */

import { EcrRepository } from './model';
import { EcrOperation, invalid, reqString } from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { asList, AwsError, epochSeconds } from './protocols';

/** The policy operations, by name. */
export function policyOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  const { account } = registry;

  const lifecycle = (repo: EcrRepository) => {
    if (!repo.lifecyclePolicy) {
      throw new AwsError(
        400,
        'LifecyclePolicyNotFoundException',
        `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${account.accountId}'`,
      );
    }
    return repo.lifecyclePolicy;
  };

  const repositoryPolicy = (repo: EcrRepository): string => {
    if (repo.policy === undefined) {
      throw new AwsError(
        400,
        'RepositoryPolicyNotFoundException',
        `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${account.accountId}'`,
      );
    }
    return repo.policy;
  };

  /** What Get- and DeleteLifecyclePolicy answer. */
  const lifecycleJson = (
    repo: EcrRepository,
    policy: NonNullable<EcrRepository['lifecyclePolicy']>,
  ) => ({
    ...registry.ids(repo),
    lifecyclePolicyText: policy.text,
    lastEvaluatedAt: epochSeconds(policy.updatedAt),
  });

  return {
    PutLifecyclePolicy(input) {
      const repo = registry.repoFromInput(input);
      const text = reqString(input, 'lifecyclePolicyText');
      validateLifecyclePolicy(text);
      registry.state.update(() => {
        repo.lifecyclePolicy = { text, updatedAt: new Date().toISOString() };
      });
      return { ...registry.ids(repo), lifecyclePolicyText: text };
    },

    GetLifecyclePolicy(input) {
      const repo = registry.repoFromInput(input);
      return lifecycleJson(repo, lifecycle(repo));
    },

    DeleteLifecyclePolicy(input) {
      const repo = registry.repoFromInput(input);
      const policy = lifecycle(repo);
      registry.state.update(() => {
        delete repo.lifecyclePolicy;
      });
      return lifecycleJson(repo, policy);
    },

    SetRepositoryPolicy(input) {
      const repo = registry.repoFromInput(input);
      const text = reqString(input, 'policyText');
      validateRepositoryPolicy(text);
      registry.state.update(() => {
        repo.policy = text;
      });
      return { ...registry.ids(repo), policyText: text };
    },

    GetRepositoryPolicy(input) {
      const repo = registry.repoFromInput(input);
      return { ...registry.ids(repo), policyText: repositoryPolicy(repo) };
    },

    DeleteRepositoryPolicy(input) {
      const repo = registry.repoFromInput(input);
      const text = repositoryPolicy(repo);
      registry.state.update(() => {
        delete repo.policy;
      });
      return { ...registry.ids(repo), policyText: text };
    },
  };
}

function policyError(field: string, why: string) {
  return invalid(
    `Invalid parameter at '${field}' failed to satisfy constraint: '${why}'`,
  );
}

/** Checks an ECR lifecycle policy: JSON with a non-empty `rules` list of well-formed rules. */
export function validateLifecyclePolicy(text: string): void {
  let doc: { rules?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw policyError(
      'LifecyclePolicyText',
      'Lifecycle policy validation failure: Could not map policyString into LifecyclePolicy.',
    );
  }
  if (
    !doc ||
    typeof doc !== 'object' ||
    !Array.isArray(doc.rules) ||
    doc.rules.length === 0
  ) {
    throw policyError(
      'LifecyclePolicyText',
      'Lifecycle policy validation failure: object has missing required properties (["rules"])',
    );
  }
  const priorities = new Set<number>();
  for (const rule of doc.rules as Array<Record<string, unknown>>) {
    const selection = rule?.selection as Record<string, unknown> | undefined;
    const action = rule?.action as Record<string, unknown> | undefined;
    const priority = rule?.rulePriority;
    if (
      typeof priority !== 'number' ||
      !Number.isInteger(priority) ||
      priority < 1 ||
      priorities.has(priority)
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: rulePriority must be a unique positive integer',
      );
    }
    priorities.add(priority);
    if (
      !selection ||
      !['tagged', 'untagged', 'any'].includes(String(selection.tagStatus)) ||
      !['imageCountMoreThan', 'sinceImagePushed'].includes(
        String(selection.countType),
      ) ||
      typeof selection.countNumber !== 'number' ||
      selection.countNumber < 1
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: invalid selection',
      );
    }
    if (
      selection.countType === 'sinceImagePushed' &&
      selection.countUnit !== 'days'
    ) {
      throw policyError(
        'LifecyclePolicyText',
        "Lifecycle policy validation failure: countUnit must be 'days' for sinceImagePushed",
      );
    }
    if (
      selection.tagStatus === 'tagged' &&
      !Array.isArray(selection.tagPrefixList) &&
      !Array.isArray(selection.tagPatternList)
    ) {
      throw policyError(
        'LifecyclePolicyText',
        'Lifecycle policy validation failure: tagPrefixList or tagPatternList is required for tagged images',
      );
    }
    if (!action || action.type !== 'expire') {
      throw policyError(
        'LifecyclePolicyText',
        "Lifecycle policy validation failure: action.type must be 'expire'",
      );
    }
  }
}

/** Checks an ECR repository policy: JSON with a Statement. */
export function validateRepositoryPolicy(text: string): void {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw policyError('PolicyText', 'Invalid repository policy provided');
  }
  const statements = asList(doc?.Statement);
  if (statements.length === 0)
    throw policyError('PolicyText', 'Invalid repository policy provided');
  for (const s of statements as Array<Record<string, unknown>>) {
    if (
      !s ||
      (s.Effect !== 'Allow' && s.Effect !== 'Deny') ||
      (!s.Action && !s.NotAction) ||
      (!s.Principal && !s.NotPrincipal)
    ) {
      throw policyError('PolicyText', 'Invalid repository policy provided');
    }
  }
}
