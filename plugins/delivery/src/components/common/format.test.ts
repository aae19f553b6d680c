import {
  formatBytes,
  formatDuration,
  formatRelative,
  imageTag,
  sha7,
  shortDigest,
} from './format';

describe('format', () => {
  it('renders durations at a glance and a dash when unknown', () => {
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(2 * 3600_000 + 10 * 60_000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86400_000 + 4 * 3600_000)).toBe('3 d 4 h');
  });

  it('renders relative times against a given now', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatRelative('2026-01-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-01-10T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2026-01-07T12:00:00Z', now)).toBe('3 days ago');
    expect(formatRelative(undefined, now)).toBe('—');
  });

  it('shortens shas, digests, sizes and image references', () => {
    expect(sha7('3f2a1bc9d8e7f6a5')).toBe('3f2a1bc');
    expect(shortDigest('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(formatBytes(52_428_800)).toBe('50.0 MB');
    expect(
      imageTag('123456789012.dkr.ecr.eu-west-1.amazonaws.com/pay:3f2a1bc-42'),
    ).toBe('3f2a1bc-42');
    expect(imageTag('127.0.0.1:7072/pay')).toBe('pay');
  });
});
