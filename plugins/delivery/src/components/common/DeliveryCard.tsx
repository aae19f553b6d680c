import type { ReactNode } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { DeliveryStatus } from '@internal/backstage-plugin-delivery-common';
import type { StatusSnapshot } from '../../hooks';

/**
 * The whole-request states every delivery view shares: a progress bar until
 * the first answer, the error panel when the request failed and there is
 * nothing to show; otherwise the view (with a note when a later refresh
 * failed).
 */
export function StatusGate(props: {
  snapshot: StatusSnapshot;
  children: (status: DeliveryStatus) => ReactNode;
}) {
  const { snapshot, children } = props;
  if (snapshot.status) {
    return (
      <>
        {snapshot.error && <ResponseErrorPanel error={snapshot.error} />}
        {children(snapshot.status)}
      </>
    );
  }
  if (snapshot.error) {
    return <ResponseErrorPanel error={snapshot.error} />;
  }
  return <Progress />;
}

/** An InfoCard around a {@link StatusGate}. */
export function DeliveryCard(props: {
  title: string;
  subheader?: ReactNode;
  snapshot: StatusSnapshot;
  children: (status: DeliveryStatus) => ReactNode;
}) {
  return (
    <InfoCard title={props.title} subheader={props.subheader}>
      <StatusGate snapshot={props.snapshot}>{props.children}</StatusGate>
    </InfoCard>
  );
}
