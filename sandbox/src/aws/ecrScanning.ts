/*
 * ECR basic image scanning: PutImageScanningConfiguration (scan on push) and
 * DescribeImageScanFindings, plus the synthetic completed scans (CVE-like
 * findings with the requested severity counts) pushed images carry.
 */

import { EcrImage, ScanFinding, SEVERITIES, Severity } from './model';
import { EcrOperation, invalid, optObject, pageOf } from './ecrInput';
import { EcrRegistry } from './ecrRegistry';
import { AwsError, epochSeconds } from './protocols';

type Scan = NonNullable<EcrImage['scan']>;

/** `imageScanStatus` of an image with a scan: always complete in the sandbox. */
export const SCAN_COMPLETE = {
  status: 'COMPLETE',
  description: 'The scan was completed successfully.',
};

/** When a scan ran and what it found, as the findings summary words it. */
export function scanSummary(scan: Scan) {
  return {
    imageScanCompletedAt: epochSeconds(scan.completedAt),
    vulnerabilitySourceUpdatedAt: epochSeconds(scan.completedAt),
    findingSeverityCounts: { ...scan.counts },
  };
}

/** The scanning operations, by name. */
export function scanningOperations(
  registry: EcrRegistry,
): Record<string, EcrOperation> {
  return {
    PutImageScanningConfiguration(input) {
      const repo = registry.repoFromInput(input);
      const config = optObject(input, 'imageScanningConfiguration');
      if (!config)
        throw invalid(
          "Invalid parameter at 'imageScanningConfiguration' failed to satisfy constraint: 'Member must not be null'",
        );
      registry.state.update(() => {
        repo.scanOnPush = config.scanOnPush === true;
      });
      return {
        ...registry.ids(repo),
        imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      };
    },

    DescribeImageScanFindings(input) {
      const repo = registry.repoFromInput(input);
      const id = optObject(input, 'imageId');
      const img = registry.image(repo, id);
      if (!img) throw registry.imageNotFound(repo, id);
      if (!img.scan) {
        throw new AwsError(
          400,
          'ScanNotFoundException',
          `Image scan does not exist for the image with '{imageDigest:${img.digest}}' in the repository with name '${repo.name}' in the registry with id '${registry.account.accountId}'`,
        );
      }
      const { page, next } = pageOf(img.scan.findings, input);
      return {
        ...registry.ids(repo),
        imageId: {
          imageDigest: img.digest,
          imageTag: typeof id?.imageTag === 'string' ? id.imageTag : undefined,
        },
        imageScanStatus: { ...SCAN_COMPLETE },
        imageScanFindings: { ...scanSummary(img.scan), findings: page },
        nextToken: next,
      };
    },
  };
}

const PACKAGES = [
  'openssl',
  'glibc',
  'zlib',
  'curl',
  'libxml2',
  'expat',
  'busybox',
  'ncurses',
];

/** A completed basic scan with the given counts and matching findings. */
export function completedScan(
  counts: Partial<Record<Severity, number>>,
  at: Date = new Date(),
): Scan {
  const clean: Partial<Record<Severity, number>> = {};
  const findings: ScanFinding[] = [];
  let n = 0;
  for (const severity of SEVERITIES) {
    const count = Math.max(0, Math.floor(counts[severity] ?? 0));
    if (count === 0) continue;
    clean[severity] = count;
    for (let i = 0; i < count && findings.length < 1000; i++, n++) {
      const cve = `CVE-2026-${String(10000 + n)}`;
      const pkg = PACKAGES[n % PACKAGES.length];
      findings.push({
        name: cve,
        description: `Sandbox finding ${
          n + 1
        } in ${pkg} (${severity.toLowerCase()}).`,
        uri: `https://security-tracker.debian.org/tracker/${cve}`,
        severity,
        attributes: [
          { key: 'package_name', value: pkg },
          { key: 'package_version', value: `1.${n % 10}.${n % 7}` },
        ],
      });
    }
  }
  return { completedAt: at.toISOString(), counts: clean, findings };
}
