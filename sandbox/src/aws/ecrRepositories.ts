/*
 * ECR repositories: CreateRepository, DescribeRepositories, DeleteRepository
 * and PutImageTagMutability, plus the seed's idempotent ensureRepository.
 */

import crypto from 'node:crypto';
import { EcrRepository } from './model';
import {
  EcrOperation,
  invalid,
  invalidNextToken,
  optArray,
  optInt,
  optObject,
  optString,
  reqString,
} from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { mergeTags, parseTags } from './ecrTags';
import { AwsError, paginate } from './protocols';

/** `value` if it is an ECR tag mutability, else InvalidParameterException. */
function tagMutability(value: string): EcrRepository['tagMutability'] {
  if (value !== 'MUTABLE' && value !== 'IMMUTABLE') {
    throw invalid(
      `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
    );
  }
  return value;
}

/** Creates the repository with default settings unless it exists; adds missing tags. */
export function ensureRepository(
  registry: EcrRegistry,
  name: string,
  tags: Record<string, string>,
): void {
  registry.validateName(name);
  registry.state.update(d => {
    const repo = (d.ecr.repositories[name] ??= registry.newRepository(name));
    for (const [Key, Value] of Object.entries(tags)) {
      if (!repo.tags.some(t => t.Key === Key)) repo.tags.push({ Key, Value });
    }
  });
}

/** The repository operations, by name. */
export function repositoryOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  const { account } = registry;
  return {
    CreateRepository(input) {
      registry.checkRegistry(input);
      const name = reqString(input, 'repositoryName');
      registry.validateName(name);
      const mutability = tagMutability(
        optString(input, 'imageTagMutability') ?? 'MUTABLE',
      );
      if (optArray(input, 'imageTagMutabilityExclusionFilters')?.length) {
        throw invalid(
          'imageTagMutabilityExclusionFilters are not supported by the Slipway sandbox',
        );
      }
      const scanning = optObject(input, 'imageScanningConfiguration');
      const encryption = optObject(input, 'encryptionConfiguration');
      const encryptionType = encryption
        ? reqString(encryption, 'encryptionType')
        : 'AES256';
      let kmsKey = encryption ? optString(encryption, 'kmsKey') : undefined;
      if (encryptionType === 'AES256') {
        if (kmsKey)
          throw invalid(
            "Invalid parameter at 'encryptionConfiguration' failed to satisfy constraint: 'kmsKey can only be specified when encryptionType is KMS'",
          );
      } else if (encryptionType === 'KMS') {
        kmsKey ??= `arn:aws:kms:${account.region}:${
          account.accountId
        }:key/${crypto.randomUUID()}`;
      } else {
        throw invalid(
          `Invalid parameter at 'encryptionType' failed to satisfy constraint: 'Member must satisfy enum value set: [AES256, KMS]'`,
        );
      }
      const tags = parseTags(input, 'tags');
      if (registry.state.data.ecr.repositories[name]) {
        throw new AwsError(
          400,
          'RepositoryAlreadyExistsException',
          `The repository with name '${name}' already exists in the registry with id '${account.accountId}'`,
        );
      }
      const repo: EcrRepository = {
        ...registry.newRepository(name),
        tagMutability: mutability,
        scanOnPush: scanning?.scanOnPush === true,
        encryption: kmsKey
          ? { encryptionType: 'KMS', kmsKey }
          : { encryptionType: 'AES256' },
      };
      mergeTags(repo, tags);
      registry.state.update(d => {
        d.ecr.repositories[name] = repo;
      });
      return { repository: registry.repositoryJson(repo) };
    },

    DescribeRepositories(input) {
      registry.checkRegistry(input);
      const names = optArray(input, 'repositoryNames');
      const nextToken = optString(input, 'nextToken');
      const maxResults = optInt(input, 'maxResults', 1, 1000);
      if (names) {
        if (nextToken || maxResults) {
          throw invalid(
            'repositoryNames cannot be combined with nextToken or maxResults',
          );
        }
        return {
          repositories: names.map(n =>
            registry.repositoryJson(registry.repo(String(n))),
          ),
        };
      }
      const all = Object.values(registry.state.data.ecr.repositories).sort(
        (a, b) => a.name.localeCompare(b.name),
      );
      const { page, next } = paginate(
        all,
        nextToken,
        maxResults,
        100,
        invalidNextToken,
      );
      return {
        repositories: page.map(r => registry.repositoryJson(r)),
        nextToken: next,
      };
    },

    DeleteRepository(input) {
      const repo = registry.repoFromInput(input);
      if (repo.images.length > 0 && input.force !== true) {
        throw new AwsError(
          400,
          'RepositoryNotEmptyException',
          `The repository with name '${repo.name}' in registry with id '${account.accountId}' cannot be deleted because it still contains images`,
        );
      }
      registry.state.update(d => {
        delete d.ecr.repositories[repo.name];
      });
      return { repository: registry.repositoryJson(repo) };
    },

    PutImageTagMutability(input) {
      const repo = registry.repoFromInput(input);
      const mutability = tagMutability(reqString(input, 'imageTagMutability'));
      registry.state.update(() => {
        repo.tagMutability = mutability;
      });
      return { ...registry.ids(repo), imageTagMutability: mutability };
    },
  };
}
