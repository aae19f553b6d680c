import type { ReactNode } from 'react';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { Section } from '@internal/backstage-plugin-delivery-common';
import { formatRelative } from './format';

/** What a card needs to say about one section of the status. */
export interface SectionNoticeProps {
  section: Section<unknown>;
  /** The annotations the section is read from (any one of them is enough). */
  annotations: readonly string[];
  /** The upstream's name as people know it: `Jenkins`, `Amazon ECR`, `Argo CD`. */
  upstream: string;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * Says plainly why a section has no fresh data: the annotation that is
 * absent, the upstream that failed, or since when the data shown is stale.
 * Renders nothing for a fresh section.
 */
export function SectionNotice(props: SectionNoticeProps) {
  const { section, annotations, upstream } = props;
  const { entity } = useEntity();
  switch (section.state) {
    case 'missing': {
      // Absent annotation: say which. Present but unusable (not a valid
      // name, an unknown instance): the backend's sentence says why.
      const present = annotations.some(
        name => entity.metadata.annotations?.[name],
      );
      return (
        <Typography variant="body2" color="textSecondary">
          {present && section.error?.message
            ? section.error.message
            : `No ${orList(annotations)} annotation on this entity`}
        </Typography>
      );
    }
    case 'error':
      // Not this entity's to show (another's, or not proven to be its own).
      if (section.error?.kind === 'forbidden') {
        return (
          <WarningPanel
            severity="warning"
            title={`Not shown: ${section.error.message}`}
          />
        );
      }
      return (
        <WarningPanel
          severity="error"
          title={`${upstream} unavailable: ${
            section.error?.message ?? 'no answer'
          }`}
        />
      );
    case 'stale':
      return (
        <WarningPanel
          severity="warning"
          title={`Stale since ${formatRelative(
            section.error?.since ?? section.fetchedAt,
          )} — ${upstream} unavailable`}
          message={section.error?.message}
        />
      );
    default:
      return null;
  }
}

/**
 * The notice, then the data when there is any (`ok` and `stale`).
 */
export function SectionView<T>(
  props: Omit<SectionNoticeProps, 'section'> & {
    section: Section<T>;
    children: (data: T) => ReactNode;
  },
) {
  const { section, children, ...notice } = props;
  const hasData =
    (section.state === 'ok' || section.state === 'stale') &&
    section.data !== undefined;
  return (
    <>
      <SectionNotice section={section} {...notice} />
      {hasData && children(section.data as T)}
    </>
  );
}
