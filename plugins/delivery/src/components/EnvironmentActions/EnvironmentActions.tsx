import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Link, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  humanizeEntityRef,
  useAsyncEntity,
} from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  deliveryPromotePermission,
  deliveryRollbackPermission,
  type DeliveryStatus,
  type EnvironmentRelease,
  type ReleaseResult,
} from '@internal/backstage-plugin-delivery-common';
import { deliveryApiRef } from '../../api';
import { denied, formatRelative, serverMessage, sha7 } from '../common';
import { promoteSentence, releaseOf, rollbackSentence } from './releasePlan';

type Action =
  | { kind: 'rollback'; environment: string }
  | { kind: 'promote'; from: string; to: string };

function ResultMessage(props: { result: ReleaseResult }) {
  const { result } = props;
  const change = `${result.environment}: ${result.fromTag ?? '?'} → ${
    result.toTag
  }`;
  return (
    <Typography role="status" variant="body2">
      {change}.{' '}
      {result.pullRequestUrl ? (
        <>
          <Link to={result.pullRequestUrl}>Pull request opened</Link>;{' '}
          {result.environment} moves when it is merged.
        </>
      ) : (
        <>
          Committed{' '}
          {result.commitUrl ? (
            <Link to={result.commitUrl}>
              <code>{sha7(result.commitSha)}</code>
            </Link>
          ) : (
            <code>{sha7(result.commitSha)}</code>
          )}{' '}
          to helm-charts; Argo CD syncs it next.
        </>
      )}
    </Typography>
  );
}

/**
 * Per environment, in promotion order: the running tag, Rollback and
 * Promote-to-next. Both are commits to helm-charts (or pull requests), are
 * confirmed first and need the delivery permissions on this entity.
 *
 * @public
 */
export function EnvironmentActions(props: {
  entityRef: string;
  status: DeliveryStatus;
  /** Called after a successful rollback or promotion (e.g. to refresh). */
  onDone?: () => void;
}) {
  const { entityRef, status, onDone } = props;
  const api = useApi(deliveryApiRef);
  const rollbackAllowed = usePermission({
    permission: deliveryRollbackPermission,
    resourceRef: entityRef,
  });
  const promoteAllowed = usePermission({
    permission: deliveryPromotePermission,
    resourceRef: entityRef,
  });
  const { entity } = useAsyncEntity();
  const [action, setAction] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReleaseResult>();
  const [error, setError] = useState<Error>();
  const [lastKind, setLastKind] = useState<Action['kind']>();

  const environments = status.environments;
  if (environments.length === 0) {
    return (
      <Typography variant="body2">
        No environments are configured for promotion.
      </Typography>
    );
  }

  const confirm = async () => {
    if (!action) {
      return;
    }
    setBusy(true);
    setLastKind(action.kind);
    setError(undefined);
    setResult(undefined);
    try {
      const done =
        action.kind === 'rollback'
          ? await api.rollback({ entityRef, environment: action.environment })
          : await api.promote({
              entityRef,
              from: action.from,
              to: action.to,
              tag: releaseOf(status, action.from)?.runningTag,
            });
      setResult(done);
      onDone?.();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
      setAction(undefined);
    }
  };

  const sentence =
    action?.kind === 'rollback'
      ? rollbackSentence(releaseOf(status, action.environment))
      : action &&
        promoteSentence(
          releaseOf(status, action.from),
          releaseOf(status, action.to),
          status.approvals?.includes(action.to),
        );

  const owners = (entity?.relations ?? [])
    .filter(r => r.type === 'ownedBy')
    .map(r => r.targetRef);
  return (
    <>
      {denied(rollbackAllowed) && denied(promoteAllowed) && (
        <Typography variant="body2" role="note" gutterBottom>
          You may not roll back or promote this service: only its owners
          {owners.length ? ` (${owners.join(', ')})` : ''} or a platform group
          may.
        </Typography>
      )}
      <Table size="small" aria-label="Release actions">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Image tag</TableCell>
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {environments.map(environment => {
            const release = releaseOf(status, environment);
            const next = release?.promoteTo;
            const refusal = rollbackRefusal(release);
            return (
              <TableRow key={environment}>
                <TableCell
                  component="th"
                  scope="row"
                  style={{ whiteSpace: 'nowrap' }}
                >
                  {environment}
                </TableCell>
                <TableCell>
                  <code style={{ whiteSpace: 'nowrap' }}>
                    {release?.runningTag ?? '—'}
                  </code>
                  {!release?.deployed && (
                    <Typography variant="caption" display="block">
                      in helm-charts; no Argo CD application deploys it
                    </Typography>
                  )}
                  {promotionsInto(status, environment).map(p => (
                    <Typography
                      key={p.number}
                      variant="caption"
                      display="block"
                      role="note"
                      aria-label={`Open promotion into ${environment}`}
                    >
                      Waiting for approval: <code>{p.tag ?? '?'}</code>
                      {p.from ? ` from ${p.from}` : ''} in{' '}
                      <Link to={p.url}>pull request #{p.number}</Link>
                      {p.requestedBy
                        ? `, asked by ${humanizeEntityRef(
                            parseEntityRef(p.requestedBy),
                            { defaultKind: 'user' },
                          )}`
                        : ''}
                      {p.openedAt ? ` ${formatRelative(p.openedAt)}` : ''}. It
                      deploys when merged.
                    </Typography>
                  ))}
                </TableCell>
                <TableCell align="right">
                  <Box display="inline-flex" style={{ gap: 8 }}>
                    <span
                      title={
                        denied(rollbackAllowed)
                          ? 'You may not roll back this service'
                          : refusal
                      }
                    >
                      <Button
                        variant="outlined"
                        size="small"
                        disabled={
                          !rollbackAllowed.allowed || busy || Boolean(refusal)
                        }
                        onClick={() =>
                          setAction({ kind: 'rollback', environment })
                        }
                        aria-label={`Roll back ${environment}`}
                      >
                        Roll back
                      </Button>
                    </span>
                    {next && (
                      <span
                        title={
                          denied(promoteAllowed)
                            ? 'You may not promote this service'
                            : undefined
                        }
                      >
                        <Button
                          variant="outlined"
                          color="primary"
                          size="small"
                          disabled={!promoteAllowed.allowed || busy}
                          onClick={() =>
                            setAction({
                              kind: 'promote',
                              from: environment,
                              to: next,
                            })
                          }
                          aria-label={`Promote ${environment} to ${next}`}
                        >
                          Promote to {next}
                        </Button>
                      </span>
                    )}
                  </Box>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {result && <ResultMessage result={result} />}
      {error && (
        <WarningPanel
          severity="error"
          title={`${
            lastKind === 'promote' ? 'Promotion' : 'Rollback'
          } failed: ${serverMessage(error)}`}
        />
      )}
      <Dialog
        open={Boolean(action)}
        onClose={() => !busy && setAction(undefined)}
        aria-labelledby="delivery-confirm-title"
      >
        <DialogTitle id="delivery-confirm-title">
          {action?.kind === 'rollback'
            ? `Roll back ${action.environment}?`
            : action && `Promote ${action.from} to ${action.to}?`}
        </DialogTitle>
        <DialogContent>
          <DialogContentText>{sentence}</DialogContentText>
          {!(
            action?.kind === 'promote' && status.approvals?.includes(action.to)
          ) && (
            <DialogContentText variant="body2">
              Argo CD deploys the commit once it syncs.
            </DialogContentText>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAction(undefined)} disabled={busy}>
            Cancel
          </Button>
          <Button
            color="primary"
            variant="contained"
            onClick={confirm}
            disabled={busy}
          >
            {action?.kind === 'rollback' ? 'Roll back' : 'Promote'}
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

/** The open pull requests that promote into `environment`. */
function promotionsInto(status: DeliveryStatus, environment: string) {
  return (status.gitops.data?.promotions ?? []).filter(
    p => p.environment === environment,
  );
}

/** Why Rollback is not offered in an environment, as the backend says. */
function rollbackRefusal(release?: EnvironmentRelease): string | undefined {
  if (!release) return 'The delivery status does not cover this environment';
  return release.rollback.possible ? undefined : release.rollback.reason;
}
