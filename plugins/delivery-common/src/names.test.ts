import { InputError } from '@backstage/errors';
import {
  assertValid,
  checkDnsLabel,
  checkEcrRepositoryName,
  checkIamPath,
  checkIamRoleName,
  checkRepoPath,
  checkServiceName,
  checkServiceNamespace,
  SERVICE_NAMESPACE_PATTERN,
} from './names';

describe('name rules', () => {
  it.each(['orders', 'payments-api', 'a1'])(
    'accepts the service name %p',
    value => {
      expect(checkServiceName(value)).toBeUndefined();
    },
  );

  it.each([
    ['Orders', /lowercase/],
    ['a', /2 to 40/],
    ['x'.repeat(41), /2 to 40/],
    ['-orders', /start with a lowercase letter/],
    ['orders-', /not ending in '-'/],
    ['1orders', /start with a lowercase letter/],
    ['or*ders', /must not contain/],
    ['or..ders', /must not contain/],
    ['or:ders', /must not contain/],
    ['', /is required/],
  ])('refuses the service name %p', (value, problem) => {
    expect(checkServiceName(value)).toMatch(problem);
  });

  it('checks DNS-1123 labels for namespaces and service accounts', () => {
    expect(checkDnsLabel('team-a', 'namespace')).toBeUndefined();
    expect(checkDnsLabel('Team', 'namespace')).toMatch(/DNS-1123/);
    expect(checkDnsLabel('a'.repeat(64), 'namespace')).toMatch(/at most 63/);
    expect(checkDnsLabel('a?', 'serviceAccount')).toMatch(/must not contain/);
    expect(checkDnsLabel(42, 'namespace')).toMatch(/is required/);
  });

  it.each([
    ['kube-system', /reserved \(kube-\*\)/],
    ['kube-public', /reserved \(kube-\*\)/],
    ['default', /reserved \(default\)/],
    ['argocd', /reserved \(argocd\)/],
    ['Team', /DNS-1123/],
  ])('refuses the service namespace %p', (value, problem) => {
    expect(checkServiceNamespace(value)).toMatch(problem);
    // The form's pattern refuses the same values.
    expect(new RegExp(SERVICE_NAMESPACE_PATTERN).test(value)).toBe(false);
  });

  it("accepts ordinary namespaces, and refuses the installation's reserved ones", () => {
    for (const ns of ['payments', 'kube', 'defaults', 'argocd-apps']) {
      expect(checkServiceNamespace(ns)).toBeUndefined();
      expect(new RegExp(SERVICE_NAMESPACE_PATTERN).test(ns)).toBe(true);
    }
    const extra = ['monitoring', 'platform-*'];
    expect(checkServiceNamespace('monitoring', 'namespace', extra)).toMatch(
      /'monitoring' is reserved \(monitoring\)/,
    );
    expect(checkServiceNamespace('platform-ci', 'namespace', extra)).toMatch(
      /reserved \(platform-\*\)/,
    );
    expect(
      checkServiceNamespace('payments', 'namespace', extra),
    ).toBeUndefined();
  });

  it('checks ECR repository names', () => {
    expect(checkEcrRepositoryName('team/orders')).toBeUndefined();
    expect(checkEcrRepositoryName('Team/orders')).toMatch(/ECR's rules/);
    expect(checkEcrRepositoryName('team//orders')).toMatch(/ECR's rules/);
    expect(checkEcrRepositoryName('team/*')).toMatch(/must not contain/);
  });

  it('checks IAM role names and paths', () => {
    expect(checkIamRoleName('slipway-orders')).toBeUndefined();
    expect(checkIamRoleName('x'.repeat(65))).toMatch(/1 to 64/);
    expect(checkIamRoleName('orders*')).toMatch(/must not contain/);
    expect(checkIamPath('/slipway/')).toBeUndefined();
    expect(checkIamPath('/')).toBeUndefined();
    expect(checkIamPath('slipway')).toMatch(/start and end with/);
    expect(checkIamPath('/a/../b/')).toMatch(/must not contain/);
  });

  it('keeps repository paths inside the repository', () => {
    expect(checkRepoPath('charts/orders')).toBeUndefined();
    expect(checkRepoPath('/etc/passwd')).toMatch(/relative path/);
    expect(checkRepoPath('C:/x')).toMatch(/relative path/);
    expect(checkRepoPath('charts/../../etc')).toMatch(/'\.\.' segments/);
    expect(checkRepoPath('charts//orders')).toMatch(/empty/);
    expect(checkRepoPath('charts/*')).toMatch(/must not contain/);
  });

  it('reports every problem in one InputError', () => {
    expect(() =>
      assertValid(checkServiceName('Bad'), checkDnsLabel('ns!', 'namespace')),
    ).toThrow(InputError);
    expect(() =>
      assertValid(checkServiceName('Bad'), checkDnsLabel('ns!', 'namespace')),
    ).toThrow(/name .*; namespace/);
    expect(() => assertValid(checkServiceName('good'))).not.toThrow();
  });
});
