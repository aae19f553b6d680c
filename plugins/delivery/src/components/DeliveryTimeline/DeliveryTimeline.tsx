import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import {
  HOPS,
  type CanaryProgress,
  type Hop,
  type HopName,
  type TimelineEntry,
} from '@internal/backstage-plugin-delivery-common';
import {
  HopStateLabel,
  formatAbsolute,
  formatDuration,
  formatRelative,
  sha7,
} from '../common';

const HOP_LABELS: Record<HopName, string> = {
  pushed: 'Pushed',
  built: 'Built',
  imagePushed: 'Image pushed',
  tagBumped: 'Tag bumped',
  synced: 'Synced',
  healthy: 'Healthy',
};

const useStyles = makeStyles(theme => ({
  entry: { padding: theme.spacing(2), marginBottom: theme.spacing(2) },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    gap: theme.spacing(1),
  },
  hops: {
    display: 'grid',
    gridAutoFlow: 'column',
    gridAutoColumns: 'minmax(0, 1fr)',
    gap: theme.spacing(1),
    listStyle: 'none',
    padding: 0,
    margin: theme.spacing(1, 0, 0),
  },
  hop: {
    borderTop: `3px solid ${theme.palette.divider}`,
    paddingTop: theme.spacing(0.5),
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
  done: { borderTopColor: theme.palette.success.main },
  failed: { borderTopColor: theme.palette.error.main },
  running: { borderTopColor: theme.palette.info.main },
  pending: { borderTopColor: theme.palette.grey[400] },
  unknown: { borderTopColor: theme.palette.warning.main },
}));

function HopStep(props: { name: HopName; hop: Hop }) {
  const classes = useStyles();
  const { name, hop } = props;
  const label = HOP_LABELS[name];
  return (
    <li
      className={`${classes.hop} ${classes[hop.state]}`}
      aria-label={`${label}: ${hop.state}`}
    >
      <Typography variant="subtitle2">
        {hop.url ? <Link to={hop.url}>{label}</Link> : label}
      </Typography>
      <HopStateLabel state={hop.state} />
      {hop.durationMs !== undefined && (
        <Typography variant="body2" title="Time since the previous hop">
          {formatDuration(hop.durationMs)}
        </Typography>
      )}
      {hop.at && (
        <Typography
          variant="caption"
          display="block"
          color="textSecondary"
          title={formatAbsolute(hop.at)}
        >
          {formatRelative(hop.at)}
        </Typography>
      )}
      {hop.detail && (
        <Typography variant="caption" display="block">
          {hop.detail}
        </Typography>
      )}
    </li>
  );
}

/** The canary's steps, between Synced and Healthy, while a Rollout rolls the change out. */
function CanaryStep(props: { canary: CanaryProgress }) {
  const classes = useStyles();
  const { canary } = props;
  const total = canary.steps.length;
  const at = canary.currentStep ?? 0;
  let state: 'running' | 'failed' | 'done' = 'running';
  if (canary.aborted) state = 'failed';
  else if (at >= total) state = 'done';
  const where =
    at >= total ? `all ${total} steps done` : `step ${at + 1} of ${total}`;
  return (
    <li
      className={`${classes.hop} ${classes[state]}`}
      aria-label={`Canary: ${canary.aborted ? 'aborted' : where}`}
    >
      <Typography variant="subtitle2">Canary</Typography>
      <Typography variant="body2">
        {canary.aborted ? 'Aborted' : where}
        {canary.weight !== undefined && !canary.aborted
          ? `, ${canary.weight}%`
          : ''}
      </Typography>
      {canary.paused && !canary.aborted && (
        <Typography
          variant="caption"
          display="block"
          color="textSecondary"
          title={formatAbsolute(canary.pausedSince)}
        >
          paused
          {canary.pausedSince ? ` ${formatRelative(canary.pausedSince)}` : ''}
        </Typography>
      )}
      {canary.aborted && canary.message && (
        <Typography variant="caption" display="block">
          {canary.message}
        </Typography>
      )}
    </li>
  );
}

/**
 * Each recent app commit followed from push to healthy: one row of six
 * hops with their state, the time each took and the total.
 *
 * @public
 */
export function DeliveryTimeline(props: { timeline: TimelineEntry[] }) {
  const classes = useStyles();
  if (props.timeline.length === 0) {
    return (
      <Typography variant="body2">
        No commits to follow yet: the timeline starts with the app repository's
        newest commits.
      </Typography>
    );
  }
  return (
    <Box component="ol" p={0} m={0} style={{ listStyle: 'none' }}>
      {props.timeline.map(entry => (
        <Paper
          component="li"
          variant="outlined"
          key={entry.commit.sha}
          className={classes.entry}
          aria-label={`Commit ${sha7(entry.commit.sha)}`}
        >
          <Box className={classes.header}>
            <Link to={entry.commit.url}>
              <code>{sha7(entry.commit.sha)}</code>
            </Link>
            <Typography variant="body1" component="span">
              {entry.commit.message}
            </Typography>
            <Typography
              variant="body2"
              component="span"
              color="textSecondary"
              title={formatAbsolute(entry.commit.committedAt)}
            >
              {entry.commit.author ? `${entry.commit.author}, ` : ''}
              {formatRelative(entry.commit.committedAt)}
            </Typography>
            <Box flexGrow={1} />
            {entry.environment && (
              <Typography variant="body2" component="span">
                to {entry.environment}
              </Typography>
            )}
            {entry.imageTag && (
              <Typography variant="body2" component="span">
                <code>{entry.imageTag}</code>
              </Typography>
            )}
            <Typography variant="body2" component="span">
              Total: {formatDuration(entry.totalMs)}
            </Typography>
          </Box>
          <ol className={classes.hops}>
            {HOPS.flatMap(name => [
              name === 'healthy' && entry.canary ? (
                <CanaryStep key="canary" canary={entry.canary} />
              ) : null,
              <HopStep key={name} name={name} hop={entry.hops[name]} />,
            ])}
          </ol>
          {entry.reached && (
            <Typography
              variant="body2"
              color="textSecondary"
              aria-label="Later environments"
            >
              Then{' '}
              {entry.reached.map((r, i) => (
                <span key={r.environment}>
                  {i > 0 && ', '}
                  <strong>{r.environment}</strong>
                  {r.at && (
                    <span title={formatAbsolute(r.at)}>
                      {' '}
                      {formatRelative(r.at)}
                    </span>
                  )}
                  {r.running ? ' (running)' : ' (since replaced)'}
                </span>
              ))}
            </Typography>
          )}
        </Paper>
      ))}
    </Box>
  );
}
