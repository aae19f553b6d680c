/** The first seven characters of a commit SHA, as git shows it. */
export function sha7(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '—';
}

/** `sha256:0123456789ab…` → `0123456789ab`. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** A duration a person reads at a glance: `850 ms`, `42 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const s = Math.round(ms / 1000);
  if (s < 60) {
    return `${s} s`;
  }
  const min = Math.floor(s / 60);
  if (min < 60) {
    const rest = s % 60;
    return rest ? `${min} min ${rest} s` : `${min} min`;
  }
  const h = Math.floor(min / 60);
  if (h < 24) {
    const rest = min % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const d = Math.floor(h / 24);
  const rest = h % 24;
  return rest ? `${d} d ${rest} h` : `${d} d`;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `just now`, `5 minutes ago`, `yesterday`, … for an ISO 8601 time. */
export function formatRelative(
  iso: string | undefined,
  now: number = Date.now(),
): string {
  if (!iso) {
    return '—';
  }
  const then = Date.parse(iso);
  if (Number.isNaN(then)) {
    return iso;
  }
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) {
    return 'just now';
  }
  if (abs < 60) {
    return relative.format(seconds, 'second');
  }
  if (abs < 3600) {
    return relative.format(Math.round(seconds / 60), 'minute');
  }
  if (abs < 86400) {
    return relative.format(Math.round(seconds / 3600), 'hour');
  }
  return relative.format(Math.round(seconds / 86400), 'day');
}

/** The absolute time, for a title attribute next to a relative one. */
export function formatAbsolute(iso: string | undefined): string | undefined {
  if (!iso) {
    return undefined;
  }
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** Bytes as MB/GB with one decimal. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) {
    return '—';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The tag of an image reference (`…/payments-api:3f2a1bc-42` → `3f2a1bc-42`). */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(colon + 1) : ref.slice(slash + 1);
}
