import { readDeliveryAnnotations } from './entityAnnotations';

const entity = (
  annotations: Record<string, string>,
  name = 'payments-api',
) => ({
  metadata: { name, annotations },
});

describe('readDeliveryAnnotations', () => {
  it('reads every delivery annotation of a generated service', () => {
    const a = readDeliveryAnnotations(
      entity({
        'github.com/project-slug': 'acme/payments-api',
        'jenkins.io/job-full-name': 'ci:payments/payments-api',
        'aws.amazon.com/aws-ecr-repository-arn':
          'arn:aws:ecr:eu-west-1:123456789012:repository/payments-api',
        'argocd/app-selector': 'slipway.io/service=payments-api',
        'slipway.io/argocd-instance': 'main',
      }),
    );
    expect(a).toEqual({
      githubRepository: {
        ok: true,
        value: {
          owner: 'acme',
          repo: 'payments-api',
          slug: 'acme/payments-api',
        },
      },
      jenkinsJob: {
        ok: true,
        value: {
          instance: 'ci',
          job: 'payments/payments-api',
          folder: 'payments',
        },
      },
      ecrRepository: {
        ok: true,
        value: {
          arn: 'arn:aws:ecr:eu-west-1:123456789012:repository/payments-api',
          accountId: '123456789012',
        },
      },
      argocdApplications: {
        ok: true,
        value: {
          instance: 'main',
          selector: 'slipway.io/service=payments-api',
        },
      },
      chart: {
        ok: true,
        value: { path: 'charts/payments-api', name: 'payments-api' },
      },
    });
  });

  it('leaves unset annotations out and says why a malformed one cannot be used', () => {
    expect(readDeliveryAnnotations(entity({}))).toEqual({
      chart: {
        ok: true,
        value: { path: 'charts/payments-api', name: 'payments-api' },
      },
    });
    const a = readDeliveryAnnotations(
      entity({
        'github.com/project-slug': 'acme/../other',
        'aws.amazon.com/aws-ecr-repository-arn': 'arn:aws:s3:::bucket',
        'argocd/app-name': 'Not_An_App',
        'slipway.io/chart-path': 'charts/../other',
      }),
    );
    expect(a.githubRepository).toEqual({
      ok: false,
      problem:
        "github.com/project-slug must be <owner>/<repo> (got 'acme/../other')",
    });
    expect(a.ecrRepository).toMatchObject({ ok: false });
    expect(a.argocdApplications).toEqual({
      ok: false,
      problem: 'argocd/app-name is not an application name',
    });
    expect(a.chart).toEqual({
      ok: false,
      problem:
        "slipway.io/chart-path must be charts/<name> (got 'charts/../other')",
    });
  });
});
