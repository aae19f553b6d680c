import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import {
  ANNOTATIONS,
  type Image,
  type ImageSection,
  type Severity,
  SEVERITIES,
} from '@internal/backstage-plugin-delivery-common';
import {
  formatAbsolute,
  formatBytes,
  formatRelative,
  shortDigest,
  HeaderRow,
  SectionCard,
} from '../common';

/** How many images the card lists. */
const MAX_IMAGES = 5;

const useStyles = makeStyles(theme => ({
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  // A tag, a size or a digest is one token: never broken across lines.
  nowrap: { whiteSpace: 'nowrap' },
  critical: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.error.contrastText,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  high: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
    fontWeight: theme.typography.fontWeightBold as number,
  },
}));

/**
 * Scan findings as chips: critical and high filled in red and amber, the
 * rest outlined; the scan's status when it has not completed.
 */
export function FindingChips(props: {
  findings?: Partial<Record<Severity, number>>;
  scanStatus?: string;
}) {
  const classes = useStyles();
  const { findings, scanStatus } = props;
  if (scanStatus && scanStatus !== 'COMPLETE') {
    return (
      <Typography variant="body2" color="textSecondary">
        Scan {scanStatus.toLowerCase().replace(/_/g, ' ')}
      </Typography>
    );
  }
  if (!findings) {
    return (
      <Typography variant="body2" color="textSecondary">
        Not scanned
      </Typography>
    );
  }
  const present = SEVERITIES.filter(s => (findings[s] ?? 0) > 0);
  if (present.length === 0) {
    return <Chip size="small" variant="outlined" label="No findings" />;
  }
  return (
    <Box className={classes.chips}>
      {present.map(severity => {
        const label = `${findings[severity]} ${severity.toLowerCase()}`;
        if (severity === 'CRITICAL' || severity === 'HIGH') {
          return (
            <Chip
              key={severity}
              size="small"
              label={label}
              className={
                severity === 'CRITICAL' ? classes.critical : classes.high
              }
            />
          );
        }
        return (
          <Chip key={severity} size="small" variant="outlined" label={label} />
        );
      })}
    </Box>
  );
}

/**
 * The newest images in the entity's ECR repository: tags, push time, size,
 * digest, scan findings and the environments running each.
 *
 * @public
 */
export function ImageStatusCard() {
  return (
    <SectionCard
      title="Image status"
      section={status => status.image}
      annotations={[ANNOTATIONS.ecrRepositoryArn]}
      upstream={() => 'Amazon ECR'}
    >
      {image => <ImageTable image={image} />}
    </SectionCard>
  );
}

function ImageTable(props: { image: ImageSection }) {
  const classes = useStyles();
  const { image } = props;
  return (
    <>
      <Typography variant="body2" color="textSecondary">
        <Link to={image.url}>{image.repositoryName}</Link>
      </Typography>
      {image.images.length === 0 ? (
        <Typography variant="body2">No images yet</Typography>
      ) : (
        <Table size="small" aria-label="Images">
          <HeaderRow
            columns={[
              'Tags',
              'Pushed',
              'Size',
              'Digest',
              'Findings',
              'Running in',
            ]}
          />
          <TableBody>
            {image.images.slice(0, MAX_IMAGES).map((img: Image) => (
              <TableRow key={img.digest}>
                <TableCell className={classes.nowrap}>
                  {img.tags.length ? (
                    img.tags.map(tag => (
                      <code key={tag} style={{ display: 'block' }}>
                        {tag}
                      </code>
                    ))
                  ) : (
                    <em>untagged</em>
                  )}
                </TableCell>
                <TableCell title={formatAbsolute(img.pushedAt)}>
                  {formatRelative(img.pushedAt)}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {formatBytes(img.sizeBytes)}
                </TableCell>
                <TableCell title={img.digest} className={classes.nowrap}>
                  <code>{shortDigest(img.digest)}</code>
                </TableCell>
                <TableCell>
                  <FindingChips
                    findings={img.scan?.findings}
                    scanStatus={img.scan?.status}
                  />
                </TableCell>
                <TableCell>
                  <Box className={classes.chips}>
                    {img.environments.map(env => (
                      <Chip
                        key={env}
                        size="small"
                        color="primary"
                        label={env}
                      />
                    ))}
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
