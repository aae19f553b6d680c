import type { ReactNode } from 'react';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type {
  DeliveryStatus,
  Section,
} from '@internal/backstage-plugin-delivery-common';
import { useDeliveryStatus } from '../../hooks';
import { DeliveryCard } from './DeliveryCard';
import { SectionView } from './SectionNotice';
import { useEntityRef } from './useEntityRef';

/** What a section's view may need besides its data: the actions' context. */
export interface SectionContext {
  entityRef: string;
  status: DeliveryStatus;
  /** Asks for the status again (after an action changed it). */
  refresh: () => Promise<void>;
}

/**
 * A card that shows one section of the current entity's delivery status
 * (build, image, sync, runtime): the shared status of the page, the
 * section's notice (missing annotation, upstream failure, stale data) and
 * the view of its data.
 */
export function SectionCard<T>(props: {
  title: string;
  subheader?: ReactNode;
  /**
   * Picks the section from the status; `undefined` for an optional section
   * an older backend does not send.
   */
  section: (status: DeliveryStatus) => Section<T> | undefined;
  /** What to say when the backend does not send the section at all. */
  absent?: string;
  /** The annotations that configure the section, named when it is missing. */
  annotations: string[];
  /** The upstream it reads, named in failures. */
  upstream: (status: DeliveryStatus) => string;
  children: (data: T, context: SectionContext) => ReactNode;
}) {
  const { entityRef } = useEntityRef();
  const snapshot = useDeliveryStatus(entityRef);
  const { refresh } = snapshot;
  return (
    <DeliveryCard
      title={props.title}
      subheader={props.subheader}
      snapshot={snapshot}
    >
      {status => {
        const section = props.section(status);
        if (!section) {
          return (
            <Typography variant="body2" color="textSecondary">
              {props.absent ??
                'The delivery backend does not report this (an older version)'}
            </Typography>
          );
        }
        return (
          <SectionView
            section={section}
            annotations={props.annotations}
            upstream={props.upstream(status)}
          >
            {data => props.children(data, { entityRef, status, refresh })}
          </SectionView>
        );
      }}
    </DeliveryCard>
  );
}

/** A table's header row: one cell per column name. */
export function HeaderRow(props: { columns: string[] }) {
  return (
    <TableHead>
      <TableRow>
        {/* A heading reads as one word, however narrow the card. */}
        {props.columns.map(column => (
          <TableCell key={column} style={{ whiteSpace: 'nowrap' }}>
            {column}
          </TableCell>
        ))}
      </TableRow>
    </TableHead>
  );
}
