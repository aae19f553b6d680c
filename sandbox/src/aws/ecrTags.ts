/*
 * ECR resource tags: TagResource, UntagResource and ListTagsForResource on
 * repositories by ARN, plus the tag parsing and limits CreateRepository
 * shares.
 */

import { AwsTag, EcrRepository } from './model';
import { EcrOperation, Input, optArray } from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { AwsError } from './protocols';

/** The tags under `key`, checked against ECR's key and value rules. */
export function parseTags(input: Input, key: string): AwsTag[] {
  const raw = optArray(input, key) ?? [];
  const tags: AwsTag[] = [];
  for (const t of raw) {
    const tag = (t ?? {}) as Input;
    const Key = tag.Key;
    const Value = tag.Value ?? '';
    if (
      typeof Key !== 'string' ||
      Key.length < 1 ||
      Key.length > 128 ||
      typeof Value !== 'string' ||
      Value.length > 256
    ) {
      throw new AwsError(
        400,
        'InvalidTagParameterException',
        'Tag keys must be 1-128 characters and values at most 256 characters.',
      );
    }
    if (Key.toLowerCase().startsWith('aws:')) {
      throw new AwsError(
        400,
        'InvalidTagParameterException',
        "Tag keys may not start with 'aws:'.",
      );
    }
    tags.push({ Key, Value });
  }
  return tags;
}

/** Adds or overwrites `tags` on `repo`; more than 50 tags throw. */
export function mergeTags(repo: EcrRepository, tags: AwsTag[]) {
  for (const tag of tags) {
    const existing = repo.tags.find(t => t.Key === tag.Key);
    if (existing) existing.Value = tag.Value;
    else repo.tags.push({ ...tag });
  }
  if (repo.tags.length > 50) {
    throw new AwsError(
      400,
      'TooManyTagsException',
      'A repository can have at most 50 tags.',
    );
  }
}

/** The tag operations, by name. */
export function tagOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  return {
    TagResource(input) {
      const repo = registry.repoFromArn(input);
      const tags = parseTags(input, 'tags');
      const copy = structuredClone(repo);
      mergeTags(copy, tags); // validates the limit before changing state
      registry.state.update(() => {
        repo.tags = copy.tags;
      });
      return {};
    },

    UntagResource(input) {
      const repo = registry.repoFromArn(input);
      const keys = (optArray(input, 'tagKeys') ?? []).map(String);
      registry.state.update(() => {
        repo.tags = repo.tags.filter(t => !keys.includes(t.Key));
      });
      return {};
    },

    ListTagsForResource(input) {
      const repo = registry.repoFromArn(input);
      return { tags: repo.tags.map(t => ({ ...t })) };
    },
  };
}
