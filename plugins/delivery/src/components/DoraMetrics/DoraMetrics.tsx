import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type {
  DoraReport,
  DoraWindow,
} from '@internal/backstage-plugin-delivery-common';
import { formatDuration } from '../common';

const DASH = '—';

interface Key {
  name: string;
  explanation: string;
  value: (w: DoraWindow) => string;
}

function perDay(w: DoraWindow): string {
  const rate = w.deploymentsPerDay;
  if (rate >= 1) {
    return `${rate.toFixed(1)}/day`;
  }
  if (rate * 7 >= 1) {
    return `${(rate * 7).toFixed(1)}/week`;
  }
  return `${(rate * 30).toFixed(1)}/month`;
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

const KEYS: Key[] = [
  {
    name: 'Deployment frequency',
    explanation:
      'How often a change (a deploy or promotion, not a rollback) reached the environment.',
    value: w =>
      w.deployments === 0 ? 'none' : `${perDay(w)} (${w.deployments})`,
  },
  {
    name: 'Lead time for changes',
    explanation: 'Median time from commit to running in the environment.',
    value: w =>
      w.leadTimeMedianMs === undefined
        ? DASH
        : formatDuration(w.leadTimeMedianMs),
  },
  {
    name: 'Change failure rate',
    explanation:
      'Share of changes that failed: rolled back, or running Degraded.',
    value: w =>
      w.changeFailureRate === undefined
        ? DASH
        : `${percent(w.changeFailureRate)} (${w.failedDeployments}/${
            w.deployments
          })`,
  },
  {
    name: 'Time to restore',
    explanation:
      'Median time from a failed change to the next good deployment.',
    value: w =>
      w.timeToRestoreMedianMs === undefined
        ? DASH
        : formatDuration(w.timeToRestoreMedianMs),
  },
  {
    name: 'Rework rate',
    explanation:
      "Share of deployments that were rollbacks: unplanned, because a change failed (DORA's deployment rework rate).",
    value: w =>
      w.reworkRate === undefined
        ? DASH
        : `${percent(w.reworkRate)} (${w.rollbacks}/${
            w.deployments + w.rollbacks
          })`,
  },
];

/**
 * DORA's four keys and rework rate over 7, 30 and 90 days for the production-most
 * environment, with what they were computed from.
 *
 * @public
 */
export function DoraMetrics(props: { dora?: DoraReport }) {
  const { dora } = props;
  if (!dora) {
    return (
      <Typography variant="body2">
        No DORA figures: the service has no deployment history to read yet.
      </Typography>
    );
  }
  const windows = [...dora.windows].sort((a, b) => a.days - b.days);
  return (
    <>
      <Table size="small" aria-label="DORA keys">
        <TableHead>
          <TableRow>
            <TableCell>Key ({dora.environment})</TableCell>
            {windows.map(w => (
              <TableCell key={w.days} align="right">
                {w.days} days
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {KEYS.map(key => (
            <TableRow key={key.name}>
              <TableCell component="th" scope="row">
                <Typography variant="body2">{key.name}</Typography>
                <Typography variant="caption" color="textSecondary">
                  {key.explanation}
                </Typography>
              </TableCell>
              {windows.map(w => (
                <TableCell key={w.days} align="right">
                  {key.value(w)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Typography variant="caption" color="textSecondary" component="p">
        Basis: {dora.basis}
      </Typography>
    </>
  );
}
