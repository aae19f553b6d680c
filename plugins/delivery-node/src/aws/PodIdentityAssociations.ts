import {
  CreatePodIdentityAssociationCommand,
  DeletePodIdentityAssociationCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  PodIdentityAssociationSummary,
  ResourceNotFoundException,
  UpdatePodIdentityAssociationCommand,
} from '@aws-sdk/client-eks';
import { OWNER_TAG } from '@internal/backstage-plugin-delivery-common';
import { assertOwned } from './ownership';

/**
 * EKS Pod Identity associations of Slipway's service roles: created,
 * repointed and deleted only when they carry the service's OWNER_TAG.
 */
export class PodIdentityAssociations {
  readonly #eks: EKSClient;

  constructor(eks: EKSClient) {
    this.#eks = eks;
  }

  async #associations(
    clusterName: string,
    filter: { namespace?: string; serviceAccount?: string } = {},
  ): Promise<PodIdentityAssociationSummary[]> {
    const out: PodIdentityAssociationSummary[] = [];
    let nextToken: string | undefined;
    do {
      const res = await this.#eks.send(
        new ListPodIdentityAssociationsCommand({
          clusterName,
          ...filter,
          nextToken,
        }),
      );
      out.push(...(res.associations ?? []));
      nextToken = res.nextToken;
    } while (nextToken);
    return out;
  }

  /**
   * Creates the pod identity association for namespace/serviceAccount →
   * roleArn, or reuses (and repoints) one Slipway owns for this service.
   * Throws ConflictError when another owner's association holds the pair.
   */
  async ensure(opts: {
    clusterName: string;
    namespace: string;
    serviceAccount: string;
    roleArn: string;
    owner: string;
  }): Promise<{ associationId: string; adopted: boolean }> {
    const eks = this.#eks;
    const { clusterName, namespace, serviceAccount, roleArn, owner } = opts;
    const [found] = await this.#associations(clusterName, {
      namespace,
      serviceAccount,
    });
    if (found) {
      const res = await eks.send(
        new DescribePodIdentityAssociationCommand({
          clusterName,
          associationId: found.associationId,
        }),
      );
      const assoc = res.association!;
      assertOwned(
        'EKS pod identity association',
        `${namespace}/${serviceAccount}`,
        assoc.tags ?? {},
        owner,
      );
      if (assoc.roleArn !== roleArn) {
        await eks.send(
          new UpdatePodIdentityAssociationCommand({
            clusterName,
            associationId: assoc.associationId,
            roleArn,
          }),
        );
      }
      return { associationId: assoc.associationId!, adopted: true };
    }
    const res = await eks.send(
      new CreatePodIdentityAssociationCommand({
        clusterName,
        namespace,
        serviceAccount,
        roleArn,
        tags: { [OWNER_TAG]: owner },
      }),
    );
    return { associationId: res.association!.associationId!, adopted: false };
  }

  /**
   * Deletes the pod identity associations on `clusterName` that point at the
   * role and carry OWNER_TAG = owner. Returns their ids.
   */
  async deleteOwned(
    clusterName: string,
    roleArn: string,
    owner: string,
  ): Promise<string[]> {
    const eks = this.#eks;
    const deleted: string[] = [];
    for (const summary of await this.#associations(clusterName)) {
      let assoc;
      try {
        assoc = (
          await eks.send(
            new DescribePodIdentityAssociationCommand({
              clusterName,
              associationId: summary.associationId,
            }),
          )
        ).association;
      } catch (e) {
        if (e instanceof ResourceNotFoundException) continue;
        throw e;
      }
      if (assoc?.roleArn !== roleArn || assoc.tags?.[OWNER_TAG] !== owner) {
        continue;
      }
      try {
        await eks.send(
          new DeletePodIdentityAssociationCommand({
            clusterName,
            associationId: assoc.associationId,
          }),
        );
      } catch (e) {
        if (!(e instanceof ResourceNotFoundException)) throw e;
      }
      deleted.push(assoc.associationId!);
    }
    return deleted;
  }
}
