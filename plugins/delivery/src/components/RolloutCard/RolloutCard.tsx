import { Fragment, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Divider from '@material-ui/core/Divider';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { StatusError, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ANNOTATIONS,
  deliveryRolloutPermission,
  type EnvironmentRuntime,
  type RolloutActionName,
  type RolloutActionResult,
  type RolloutView,
} from '@internal/backstage-plugin-delivery-common';
import { deliveryApiRef } from '../../api';
import {
  ACTIONS,
  confirmation,
  DONE,
  pausePhrase,
  rolloutState,
  stepSummary,
} from './rolloutText';
import {
  AnalysisPhaseLabel,
  RolloutPhaseLabel,
  SectionCard,
  denied,
  formatAbsolute,
  formatRelative,
  imageTag,
  serverMessage,
} from '../common';

/**
 * The canary of each environment whose workload is an Argo Rollouts
 * Rollout: its steps, traffic weight, pause or abort and why, the analyses,
 * stable and canary images, and the actions Argo CD offers on it now
 * (promote, promote full, abort, retry) for the service's owners.
 *
 * @public
 */
export function RolloutCard() {
  return (
    <SectionCard
      title="Rollout"
      section={status => status.runtime}
      absent="The delivery backend does not report canaries (an older version)"
      annotations={[ANNOTATIONS.argocdAppName, ANNOTATIONS.argocdAppSelector]}
      upstream={() => 'Argo CD'}
    >
      {(runtime, { entityRef, refresh }) => {
        const withRollout = runtime.environments.filter(env => env.rollout);
        return withRollout.length === 0 ? (
          <Typography variant="body2">
            No canary: this service deploys with a rolling update
          </Typography>
        ) : (
          <RolloutList
            environments={withRollout}
            entityRef={entityRef}
            refresh={refresh}
          />
        );
      }}
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
  steps: { margin: theme.spacing(0.5, 0), paddingLeft: theme.spacing(3) },
  done: { color: theme.palette.text.secondary },
  current: {
    color: theme.palette.primary.main,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

/**
 * The canaries, once there is one: the permission is asked only then, so
 * a service without canaries costs no permission request.
 */
function RolloutList(props: {
  environments: EnvironmentRuntime[];
  entityRef: string;
  refresh: () => Promise<void>;
}) {
  const { environments, entityRef, refresh } = props;
  const decision = usePermission({
    permission: deliveryRolloutPermission,
    resourceRef: entityRef,
  });
  const { entity } = useEntity();
  const owners = (entity.relations ?? [])
    .filter(r => r.type === 'ownedBy')
    .map(r => r.targetRef);
  const offersAny = environments.some(env => env.rollout!.actions.length > 0);
  return (
    <>
      {offersAny && denied(decision) && (
        <Typography variant="body2" role="note" gutterBottom>
          You may not act on this service's canaries: only its owners
          {owners.length ? ` (${owners.join(', ')})` : ''} or a platform group
          may.
        </Typography>
      )}
      {environments.map((env, i) => (
        <Fragment key={env.environment}>
          {i > 0 && <Divider />}
          <RolloutPanel
            environment={env.environment}
            rollout={env.rollout!}
            entityRef={entityRef}
            allowed={decision.allowed}
            refusal={
              denied(decision)
                ? "You may not act on this service's canaries"
                : undefined
            }
            refresh={refresh}
          />
        </Fragment>
      ))}
    </>
  );
}

function RolloutPanel(props: {
  environment: string;
  rollout: RolloutView;
  entityRef: string;
  allowed: boolean;
  /** Why the actions are disabled, when the user may not act. */
  refusal?: string;
  refresh: () => Promise<void>;
}) {
  const { environment, rollout, entityRef, allowed, refusal, refresh } = props;
  const classes = useStyles();
  const api = useApi(deliveryApiRef);
  const [confirming, setConfirming] = useState<RolloutActionName>();
  const [busy, setBusy] = useState<RolloutActionName>();
  const [failure, setFailure] = useState<{
    action: RolloutActionName;
    error: Error;
  }>();
  const [sent, setSent] = useState<{
    result: RolloutActionResult;
    /** The Rollout's state when the action was sent. */
    before: string;
  }>();

  // Argo Rollouts acts on an action a moment after Argo CD accepts it. Until
  // the status shows the Rollout changed, the buttons stay off: a second
  // Promote on a status that still says "paused" would skip the next pause.
  const waiting = sent !== undefined && sent.before === rolloutState(rollout);

  const run = async (action: RolloutActionName) => {
    setConfirming(undefined);
    setBusy(action);
    setFailure(undefined);
    setSent(undefined);
    const before = rolloutState(rollout);
    try {
      const result = await api.rolloutAction({
        entityRef,
        environment,
        action,
      });
      setSent({ result, before });
      await refresh();
    } catch (e) {
      setFailure({
        action,
        error: e instanceof Error ? e : new Error(String(e)),
      });
    } finally {
      setBusy(undefined);
    }
  };

  const offered = ACTIONS.filter(a => rollout.actions.includes(a.name));
  const steps = stepSummary(rollout);
  const dialog = confirming && confirmation(confirming, environment, rollout);

  return (
    <Box
      className={classes.environment}
      component="section"
      aria-label={`Rollout in ${environment}`}
    >
      <div className={classes.heading}>
        <Typography variant="subtitle1" component="h3">
          <strong>{environment}</strong>
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {rollout.strategy === 'blueGreen' ? 'Blue-green' : 'Canary'} · Rollout{' '}
          {rollout.name}
        </Typography>
        {rollout.aborted ? (
          <StatusError>Aborted</StatusError>
        ) : (
          rollout.phase && <RolloutPhaseLabel phase={rollout.phase} />
        )}
      </div>

      {rollout.aborted && (
        <Typography variant="body2" color="error">
          {`Aborted: ${
            rollout.message ?? 'the traffic is back on the stable version'
          }`}
        </Typography>
      )}
      {rollout.paused && !rollout.aborted && (
        <Typography variant="body2" title={formatAbsolute(rollout.pausedSince)}>
          Paused
          {rollout.pausedSince
            ? ` since ${formatRelative(rollout.pausedSince)}`
            : ''}
          : {pausePhrase(rollout)}
        </Typography>
      )}

      {steps && (
        <>
          <Typography variant="body2">
            <strong>{steps}</strong>
            {rollout.canaryWeight !== undefined &&
              ` · canary weight ${rollout.canaryWeight}%`}
          </Typography>
          <ol className={classes.steps} aria-label={`Steps in ${environment}`}>
            {rollout.steps.map((step, index) => {
              const current = index === rollout.currentStep;
              const done =
                rollout.currentStep !== undefined &&
                index < rollout.currentStep;
              return (
                <li
                  // Steps repeat ("pause"), so their place is their key.
                  // eslint-disable-next-line react/no-array-index-key
                  key={index}
                  className={
                    (current && classes.current) ||
                    (done && classes.done) ||
                    undefined
                  }
                  aria-current={current ? 'step' : undefined}
                >
                  <Typography variant="body2" component="span">
                    {step}
                    {done ? ' ✓' : ''}
                  </Typography>
                </li>
              );
            })}
          </ol>
        </>
      )}
      {!steps && rollout.canaryWeight !== undefined && (
        <Typography variant="body2">
          Canary weight {rollout.canaryWeight}%
        </Typography>
      )}

      {(rollout.stableImage || rollout.canaryImage) && (
        <Typography variant="body2">
          Stable{' '}
          <code title={rollout.stableImage}>
            {rollout.stableImage ? imageTag(rollout.stableImage) : '—'}
          </code>
          {rollout.canaryImage && (
            <>
              {' '}
              · canary{' '}
              <code title={rollout.canaryImage}>
                {imageTag(rollout.canaryImage)}
              </code>
            </>
          )}
        </Typography>
      )}

      {rollout.analysisRuns.length > 0 && (
        <Box mt={1}>
          <Typography variant="body2" component="h4">
            Analysis
          </Typography>
          <ul
            className={classes.steps}
            aria-label={`Analysis runs in ${environment}`}
          >
            {rollout.analysisRuns.map(analysis => (
              <li key={analysis.name}>
                <Typography variant="body2" component="span">
                  {analysis.phase && (
                    <AnalysisPhaseLabel phase={analysis.phase} />
                  )}{' '}
                  <code>{analysis.name}</code>
                  {analysis.startedAt && (
                    <span title={formatAbsolute(analysis.startedAt)}>
                      {' '}
                      · started {formatRelative(analysis.startedAt)}
                    </span>
                  )}
                  {analysis.message && ` — ${analysis.message}`}
                </Typography>
              </li>
            ))}
          </ul>
        </Box>
      )}

      {offered.length > 0 && (
        <div className={classes.actions}>
          {offered.map(({ name, label }) => (
            <span key={name} title={refusal}>
              <Button
                size="small"
                variant={name === 'abort' ? 'outlined' : 'contained'}
                color={name === 'abort' ? 'default' : 'primary'}
                disabled={!allowed || busy !== undefined || waiting}
                startIcon={
                  busy === name ? <CircularProgress size={14} /> : undefined
                }
                aria-label={`${label} in ${environment}`}
                onClick={() =>
                  confirmation(name, environment, rollout)
                    ? setConfirming(name)
                    : run(name)
                }
              >
                {label}
              </Button>
            </span>
          ))}
        </div>
      )}
      {sent && (
        <Typography variant="body2" role="status">
          {DONE[sent.result.action]} (Rollout {sent.result.rollout} in{' '}
          {sent.result.environment})
          {waiting ? '; waiting for Argo Rollouts to act on it.' : '.'}
        </Typography>
      )}
      {failure && (
        <WarningPanel
          severity="error"
          title={`${
            ACTIONS.find(a => a.name === failure.action)?.label
          } failed: ${serverMessage(failure.error)}`}
        />
      )}

      <Dialog
        open={Boolean(dialog)}
        onClose={() => setConfirming(undefined)}
        aria-labelledby={`rollout-confirm-${environment}`}
      >
        <DialogTitle id={`rollout-confirm-${environment}`}>
          {dialog?.title}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>{dialog?.text}</DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(undefined)}>Cancel</Button>
          <Button
            color="primary"
            variant="contained"
            onClick={() => confirming && run(confirming)}
          >
            {ACTIONS.find(a => a.name === confirming)?.label}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
