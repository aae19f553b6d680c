import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { Link } from '@backstage/core-components';
import {
  ANNOTATIONS,
  type BuildSection,
} from '@internal/backstage-plugin-delivery-common';
import {
  BuildStatusLabel,
  formatAbsolute,
  formatDuration,
  formatRelative,
  sha7,
  useEntityRef,
  HeaderRow,
  SectionCard,
} from '../common';

const PROVIDERS: Record<BuildSection['provider'], string> = {
  jenkins: 'Jenkins',
  'github-actions': 'GitHub Actions',
};

/** How many builds the card lists. */
const MAX_BUILDS = 5;

/**
 * The newest CI builds of the entity (Jenkins or GitHub Actions): status,
 * number, commit, duration and a link to each.
 *
 * @public
 */
export function BuildStatusCard() {
  const { entity } = useEntityRef();
  const annotations = entity.metadata.annotations ?? {};
  const fallbackUpstream = annotations[ANNOTATIONS.jenkinsJobFullName]
    ? PROVIDERS.jenkins
    : PROVIDERS['github-actions'];

  return (
    <SectionCard
      title="Build status"
      section={status => status.build}
      annotations={[
        ANNOTATIONS.jenkinsJobFullName,
        ANNOTATIONS.githubProjectSlug,
      ]}
      upstream={status =>
        status.build.data
          ? PROVIDERS[status.build.data.provider]
          : fallbackUpstream
      }
    >
      {build => <BuildTable build={build} />}
    </SectionCard>
  );
}

function BuildTable(props: { build: BuildSection }) {
  const { build } = props;
  const provider = PROVIDERS[build.provider];
  return (
    <>
      <Typography variant="body2" color="textSecondary">
        {build.url ? <Link to={build.url}>{provider}</Link> : provider}
      </Typography>
      {build.builds.length === 0 ? (
        <Typography variant="body2">No builds yet</Typography>
      ) : (
        <Table size="small" aria-label="Builds">
          <HeaderRow
            columns={['Build', 'Status', 'Commit', 'Duration', 'Started']}
          />
          <TableBody>
            {build.builds.slice(0, MAX_BUILDS).map(b => (
              <TableRow key={b.number}>
                <TableCell>
                  <Link to={b.url}>#{b.number}</Link>
                </TableCell>
                <TableCell>
                  <BuildStatusLabel status={b.status} />
                </TableCell>
                <TableCell>
                  <code>{sha7(b.commitSha)}</code>
                </TableCell>
                <TableCell>{formatDuration(b.durationMs)}</TableCell>
                <TableCell title={formatAbsolute(b.startedAt)}>
                  {formatRelative(b.startedAt)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
