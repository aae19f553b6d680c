import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import { ANNOTATIONS } from '@internal/backstage-plugin-delivery-common';
import { useDeliveryStatus } from '../../hooks';
import {
  SectionNotice,
  StatusGate,
  formatAbsolute,
  formatRelative,
  useEntityRef,
} from '../common';
import { DeliveryTimeline } from '../DeliveryTimeline';
import { DoraMetrics } from '../DoraMetrics';
import { EnvironmentActions } from '../EnvironmentActions';
import { RolloutCard } from '../RolloutCard';

/**
 * The Delivery tab: every recent commit followed from push to healthy, the
 * canary of each environment (with its actions), the DORA's keys, and
 * rollback / promote per environment. Shares the
 * entity page's one status request with the cards.
 *
 * @public
 */
export function DeliveryContent() {
  const { entityRef } = useEntityRef();
  const snapshot = useDeliveryStatus(entityRef);
  const { refresh } = snapshot;

  return (
    <StatusGate snapshot={snapshot}>
      {status => (
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <Box display="flex" alignItems="center" style={{ gap: 16 }}>
              <Typography
                variant="body2"
                color="textSecondary"
                title={formatAbsolute(status.generatedAt)}
              >
                Updated {formatRelative(status.generatedAt)}
              </Typography>
              <Button
                size="small"
                variant="outlined"
                onClick={() => refresh()}
                disabled={snapshot.loading}
              >
                Refresh
              </Button>
            </Box>
          </Grid>
          <Grid item xs={12}>
            <InfoCard
              title="From commit to running"
              subheader={
                status.timeline[0]?.environment
                  ? `Each recent commit on its way to ${status.timeline[0].environment}`
                  : 'Each recent commit on its way to the first environment'
              }
            >
              <SectionNotice
                section={status.source}
                annotations={[ANNOTATIONS.githubProjectSlug]}
                upstream="GitHub"
              />
              <SectionNotice
                section={status.gitops}
                annotations={[ANNOTATIONS.chartPath]}
                upstream="helm-charts"
              />
              <DeliveryTimeline timeline={status.timeline} />
            </InfoCard>
          </Grid>
          {/* The canary's actions next to the release ones: both move what runs. */}
          <Grid item xs={12}>
            <RolloutCard />
          </Grid>
          <Grid item xs={12} md={7}>
            <InfoCard
              title="DORA's keys"
              subheader="Deployment frequency, lead time for changes, change failure rate, time to restore and rework rate, over 7, 30 and 90 days"
            >
              <DoraMetrics dora={status.dora} />
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={5}>
            <InfoCard
              title="Environments"
              subheader="Rollback and promote are commits to helm-charts"
            >
              <EnvironmentActions
                entityRef={entityRef}
                status={status}
                onDone={() => refresh()}
              />
            </InfoCard>
          </Grid>
        </Grid>
      )}
    </StatusGate>
  );
}
