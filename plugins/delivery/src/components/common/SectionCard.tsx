import type { ReactNode } from 'react';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import type {
  DeliveryStatus,
  Section,
} from '@internal/backstage-plugin-delivery-common';
import { useDeliveryStatus } from '../../hooks';
import { DeliveryCard } from './DeliveryCard';
import { SectionView } from './SectionNotice';
import { useEntityRef } from './useEntityRef';

/**
 * A card that shows one section of the current entity's delivery status
 * (build, image or sync): the shared status of the page, the section's
 * notice (missing annotation, upstream failure, stale data) and the view of
 * its data.
 */
export function SectionCard<T>(props: {
  title: string;
  /** Picks the section from the status. */
  section: (status: DeliveryStatus) => Section<T>;
  /** The annotations that configure the section, named when it is missing. */
  annotations: string[];
  /** The upstream it reads, named in failures. */
  upstream: (status: DeliveryStatus) => string;
  children: (data: T) => ReactNode;
}) {
  const { entityRef } = useEntityRef();
  const snapshot = useDeliveryStatus(entityRef);
  return (
    <DeliveryCard title={props.title} snapshot={snapshot}>
      {status => (
        <SectionView
          section={props.section(status)}
          annotations={props.annotations}
          upstream={props.upstream(status)}
        >
          {props.children}
        </SectionView>
      )}
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
