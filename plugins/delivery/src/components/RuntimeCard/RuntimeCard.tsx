import { Fragment } from 'react';
import Box from '@material-ui/core/Box';
import Divider from '@material-ui/core/Divider';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ANNOTATIONS,
  type EnvironmentRuntime,
  type HpaRuntime,
  type PodRuntime,
  type RuntimeEvent,
} from '@internal/backstage-plugin-delivery-common';
import {
  HealthStatusLabel,
  HeaderRow,
  SectionCard,
  formatAbsolute,
  formatRelative,
} from '../common';

/** How many pods an environment lists; the rest are counted. */
const MAX_PODS = 8;

/**
 * What runs in each environment, read through Argo CD: the workload's
 * health, pods ready, restarts and why the last container stopped, the
 * autoscaler, Argo CD's self-heals and the warning events. The bad news
 * comes first, in the error colour.
 *
 * @public
 */
export function RuntimeCard() {
  return (
    <SectionCard
      title="Runtime"
      section={status => status.runtime}
      absent="The delivery backend does not report what runs (an older version)"
      annotations={[ANNOTATIONS.argocdAppName, ANNOTATIONS.argocdAppSelector]}
      upstream={() => 'Argo CD'}
    >
      {runtime =>
        runtime.environments.length === 0 ? (
          <Typography variant="body2">No Argo CD application found</Typography>
        ) : (
          runtime.environments.map((env, i) => (
            <Fragment key={`${env.environment}/${env.appName}`}>
              {i > 0 && <Divider />}
              <EnvironmentPanel env={env} />
            </Fragment>
          ))
        )
      }
    </SectionCard>
  );
}

const useStyles = makeStyles(theme => ({
  environment: { padding: theme.spacing(1.5, 0) },
  heading: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  problems: {
    margin: theme.spacing(0.5, 0),
    paddingLeft: theme.spacing(2.5),
    color: theme.palette.error.main,
  },
  bad: { color: theme.palette.error.main },
  warn: { color: theme.palette.warning.dark },
  nowrap: { whiteSpace: 'nowrap' },
  // Pod names are long and alike but for their end: wrap, never cut.
  podName: { wordBreak: 'break-all' },
  message: {
    display: '-webkit-box',
    WebkitLineClamp: 2,
    WebkitBoxOrient: 'vertical',
    overflow: 'hidden',
    maxWidth: '28em',
  },
}));

/** Pod reasons that mean it is failing, not merely starting. */
const BAD_REASON = /BackOff|Err|OOMKilled|Fail|Evicted|Invalid|Crash|Unknown/;

function isBadPod(pod: PodRuntime): boolean {
  return (
    pod.health === 'Degraded' ||
    pod.health === 'Missing' ||
    BAD_REASON.test(pod.reason ?? '')
  );
}

/** Failing pods first, then the unready, then by restarts. */
function byTrouble(a: PodRuntime, b: PodRuntime): number {
  const rank = (p: PodRuntime) => {
    if (isBadPod(p)) return 0;
    return p.ready ? 2 : 1;
  };
  return rank(a) - rank(b) || b.restarts - a.restarts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `Error (exit 1)`, `OOMKilled (exit 137)`. */
function termination(t: { reason?: string; exitCode?: number }): string {
  const code = t.exitCode !== undefined ? `exit ${t.exitCode}` : undefined;
  if (t.reason && code) return `${t.reason} (${code})`;
  return t.reason ?? code ?? 'stopped';
}

/** The sentences a developer must see first: what is failing now. */
function problemsOf(env: EnvironmentRuntime): string[] {
  const problems: string[] = [];
  const workload = env.workload;
  if (
    workload &&
    (workload.health === 'Degraded' || workload.health === 'Missing')
  ) {
    problems.push(
      `${workload.kind} ${workload.name} is ${workload.health}${
        workload.healthMessage ? `: ${workload.healthMessage}` : ''
      }`,
    );
  }
  const failing = new Map<string, number>();
  for (const pod of env.pods.filter(isBadPod)) {
    const reason = pod.reason ?? pod.health ?? 'failing';
    failing.set(reason, (failing.get(reason) ?? 0) + 1);
  }
  for (const [reason, count] of failing) {
    problems.push(`${plural(count, 'pod')} in ${reason}`);
  }
  if (env.restarts > 0) {
    const last = env.lastTermination;
    const window = env.restartsLastHour;
    let recent = '';
    // Kubernetes counts a pod's restarts over its life; the backend's
    // samples say how many fell in the last hour (or since first seen).
    if (window) {
      recent = window.since
        ? ` (${window.restarts} since ${formatRelative(window.since)})`
        : ` (${window.restarts} in the last hour)`;
    }
    problems.push(
      `${plural(env.restarts, 'restart')}${recent}${
        last
          ? `; last ${termination(last)} in ${last.pod}${
              last.at ? `, ${formatRelative(last.at)}` : ''
            }`
          : ''
      }`,
    );
  }
  return problems;
}

function EnvironmentPanel(props: { env: EnvironmentRuntime }) {
  const { env } = props;
  const classes = useStyles();
  const problems = problemsOf(env);
  const short =
    env.desiredPods !== undefined && env.readyPods < env.desiredPods;
  return (
    <Box
      className={classes.environment}
      component="section"
      aria-label={`Runtime in ${env.environment}`}
    >
      <div className={classes.heading}>
        <Typography variant="subtitle1" component="h3">
          <strong>{env.environment}</strong>
        </Typography>
        {env.workload ? (
          <>
            <Typography variant="body2" color="textSecondary">
              {env.workload.kind} {env.workload.name}
            </Typography>
            {env.workload.health && (
              <HealthStatusLabel status={env.workload.health} />
            )}
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            No workload in {env.appName}
          </Typography>
        )}
        <Typography variant="body2" className={short ? classes.bad : undefined}>
          {env.readyPods}
          {env.desiredPods !== undefined ? ` of ${env.desiredPods}` : ''} pods
          ready
        </Typography>
      </div>

      {problems.length > 0 && (
        <ul
          className={classes.problems}
          aria-label={`Problems in ${env.environment}`}
        >
          {problems.map(problem => (
            <li key={problem}>
              <Typography variant="body2" component="span">
                {problem}
              </Typography>
            </li>
          ))}
        </ul>
      )}
      {env.workload?.healthMessage &&
        env.workload.health !== 'Degraded' &&
        env.workload.health !== 'Missing' && (
          <Typography variant="body2" color="textSecondary">
            {env.workload.healthMessage}
          </Typography>
        )}

      {env.hpa && <HpaLine hpa={env.hpa} />}
      {env.selfHeals.length > 0 && (
        <Typography
          variant="body2"
          className={classes.warn}
          title={formatAbsolute(env.selfHeals[0].at)}
        >
          Argo CD put drifted objects back (self-heal)
          {selfHealCount(env) > 1
            ? ` ${selfHealCount(env)} times in a row`
            : ''}
          , last {formatRelative(env.selfHeals[0].at)}: someone changed the
          cluster by hand
        </Typography>
      )}

      {env.pods.length > 0 && <PodTable env={env} />}
      {env.warnings.length > 0 && (
        <WarningTable environment={env.environment} warnings={env.warnings} />
      )}
    </Box>
  );
}

function HpaLine(props: { hpa: HpaRuntime }) {
  const { hpa } = props;
  const classes = useStyles();
  const hot =
    hpa.currentCpuPercent !== undefined &&
    hpa.targetCpuPercent !== undefined &&
    hpa.currentCpuPercent > hpa.targetCpuPercent;
  const atMax = hpa.currentReplicas === hpa.maxReplicas;
  const range = `${hpa.minReplicas ?? 1}–${hpa.maxReplicas}`;
  return (
    <Typography variant="body2" aria-label="Autoscaler">
      Autoscaler:{' '}
      <span className={atMax ? classes.warn : undefined}>
        {hpa.currentReplicas ?? '?'} replicas
        {hpa.desiredReplicas !== undefined &&
        hpa.desiredReplicas !== hpa.currentReplicas
          ? `, wants ${hpa.desiredReplicas}`
          : ''}{' '}
        of {range}
        {atMax ? ' (at its maximum)' : ''}
      </span>
      {hpa.currentCpuPercent !== undefined && (
        <>
          {' · '}
          <span className={hot ? classes.warn : undefined}>
            CPU {hpa.currentCpuPercent}%
            {hpa.targetCpuPercent !== undefined
              ? ` (target ${hpa.targetCpuPercent}%)`
              : ''}
          </span>
        </>
      )}
      {hpa.currentCpuPercent === undefined &&
        hpa.targetCpuPercent !== undefined && (
          <>
            {' · '}
            <span className={classes.warn}>
              CPU target {hpa.targetCpuPercent}%, no reading yet (metrics
              unavailable)
            </span>
          </>
        )}
      {hpa.lastScaleTime && (
        <span title={formatAbsolute(hpa.lastScaleTime)}>
          {' · '}scaled {formatRelative(hpa.lastScaleTime)}
        </span>
      )}
    </Typography>
  );
}

/** Self-heal syncs: Argo CD's count of the last run in a row, else the list's. */
function selfHealCount(env: EnvironmentRuntime): number {
  return env.selfHeals[0]?.attempts ?? env.selfHeals.length;
}

function PodTable(props: { env: EnvironmentRuntime }) {
  const { env } = props;
  const classes = useStyles();
  const pods = [...env.pods].sort(byTrouble);
  const shown = pods.slice(0, MAX_PODS);
  const hasRoles = pods.some(p => p.role);
  return (
    <>
      <Table size="small" aria-label={`Pods in ${env.environment}`}>
        <HeaderRow
          columns={[
            'Pod',
            'Status',
            'Ready',
            'Restarts',
            ...(hasRoles ? ['Role'] : []),
          ]}
        />
        <TableBody>
          {shown.map(pod => {
            const bad = isBadPod(pod);
            return (
              <TableRow key={pod.name}>
                <TableCell>
                  <code className={classes.podName} title={pod.name}>
                    {pod.name}
                  </code>
                </TableCell>
                <TableCell
                  className={
                    (bad && classes.bad) ||
                    (!pod.ready && classes.warn) ||
                    undefined
                  }
                >
                  <span className={classes.nowrap}>{pod.reason ?? '—'}</span>
                  {pod.lastTermination && (
                    <Typography
                      variant="caption"
                      display="block"
                      title={formatAbsolute(pod.lastTermination.at)}
                    >
                      last {termination(pod.lastTermination)}
                      {pod.lastTermination.at
                        ? ` ${formatRelative(pod.lastTermination.at)}`
                        : ''}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {pod.containers ?? (pod.ready ? 'yes' : 'no')}
                </TableCell>
                <TableCell
                  className={pod.restarts > 0 ? classes.bad : undefined}
                >
                  {pod.restarts}
                </TableCell>
                {hasRoles && <TableCell>{pod.role ?? '—'}</TableCell>}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {pods.length > shown.length && (
        <Typography variant="caption" color="textSecondary">
          and {plural(pods.length - shown.length, 'more pod')}
        </Typography>
      )}
    </>
  );
}

function WarningTable(props: {
  environment: string;
  warnings: RuntimeEvent[];
}) {
  const classes = useStyles();
  return (
    <Box mt={1}>
      <Typography variant="body2" component="h4" className={classes.warn}>
        Warning events
      </Typography>
      <Table size="small" aria-label={`Warning events in ${props.environment}`}>
        <HeaderRow
          columns={['Reason', 'Object', 'Message', 'Count', 'Last seen']}
        />
        <TableBody>
          {props.warnings.map((event, i) => (
            // Events repeat reason and object; their order is their identity here.
            // eslint-disable-next-line react/no-array-index-key
            <TableRow key={i}>
              <TableCell className={`${classes.warn} ${classes.nowrap}`}>
                {event.reason ?? '—'}
              </TableCell>
              <TableCell>
                <code className={classes.podName} title={event.object}>
                  {event.object ?? '—'}
                </code>
              </TableCell>
              <TableCell>
                <span className={classes.message} title={event.message}>
                  {event.message ?? '—'}
                </span>
              </TableCell>
              <TableCell>{event.count ?? 1}</TableCell>
              <TableCell
                className={classes.nowrap}
                title={formatAbsolute(event.lastSeen)}
              >
                {formatRelative(event.lastSeen)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
