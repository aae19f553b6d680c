import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import {
  ANNOTATIONS,
  type EnvironmentSync,
} from '@internal/backstage-plugin-delivery-common';
import {
  HealthStatusLabel,
  SyncStatusLabel,
  formatAbsolute,
  formatRelative,
  imageTag,
  sha7,
  HeaderRow,
  SectionCard,
} from '../common';

/**
 * Per environment, the entity's Argo CD application: sync and health, the
 * helm-charts revision, the image tag it runs, the last operation and how
 * long it has been in its health.
 *
 * @public
 */
export function SyncStatusCard() {
  return (
    <SectionCard
      title="Sync status"
      section={status => status.sync}
      annotations={[ANNOTATIONS.argocdAppName, ANNOTATIONS.argocdAppSelector]}
      upstream={() => 'Argo CD'}
    >
      {sync =>
        sync.environments.length === 0 ? (
          <Typography variant="body2">No Argo CD application found</Typography>
        ) : (
          <SyncTable environments={sync.environments} />
        )
      }
    </SectionCard>
  );
}

const useStyles = makeStyles({
  // Short values stay on one line, so the columns read at a glance.
  nowrap: { whiteSpace: 'nowrap' },
  // Argo CD's health and operation messages can be a paragraph: two lines
  // here, all of it on hover.
  message: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    whiteSpace: 'normal',
    maxWidth: '24em',
  },
});

function SyncTable(props: { environments: EnvironmentSync[] }) {
  const classes = useStyles();
  return (
    <Table size="small" aria-label="Environments">
      <HeaderRow
        columns={[
          'Environment',
          'Sync',
          'Health',
          'Revision',
          'Image',
          'Last operation',
        ]}
      />
      <TableBody>
        {props.environments.map(env => (
          <TableRow key={`${env.instance}/${env.appName}`}>
            <TableCell className={classes.nowrap}>
              <Link to={env.appUrl} title={`${env.appName} in Argo CD`}>
                {env.environment}
              </Link>
            </TableCell>
            <TableCell className={classes.nowrap}>
              <SyncStatusLabel status={env.syncStatus} />
            </TableCell>
            <TableCell className={classes.nowrap}>
              <HealthStatusLabel status={env.healthStatus} />
              {env.healthSince && (
                <Typography
                  variant="caption"
                  display="block"
                  color="textSecondary"
                  title={formatAbsolute(env.healthSince)}
                >
                  since {formatRelative(env.healthSince)}
                </Typography>
              )}
              {env.healthMessage && (
                <Typography
                  variant="caption"
                  className={classes.message}
                  title={env.healthMessage}
                >
                  {env.healthMessage}
                </Typography>
              )}
            </TableCell>
            <TableCell title={env.revision} className={classes.nowrap}>
              <code>{sha7(env.revision)}</code>
            </TableCell>
            <TableCell className={classes.nowrap}>
              {env.images.length ? (
                env.images.map(image => (
                  <code key={image} title={image}>
                    {imageTag(image)}{' '}
                  </code>
                ))
              ) : (
                <>—</>
              )}
            </TableCell>
            <TableCell>
              {env.operation ? (
                <>
                  {env.operation.phase}
                  {(env.operation.finishedAt ?? env.operation.startedAt) && (
                    <Typography
                      variant="caption"
                      display="block"
                      color="textSecondary"
                      title={formatAbsolute(
                        env.operation.finishedAt ?? env.operation.startedAt,
                      )}
                    >
                      {formatRelative(
                        env.operation.finishedAt ?? env.operation.startedAt,
                      )}
                    </Typography>
                  )}
                  {env.operation.message && (
                    <Typography
                      variant="caption"
                      className={classes.message}
                      title={env.operation.message}
                    >
                      {env.operation.message}
                    </Typography>
                  )}
                </>
              ) : (
                '—'
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
