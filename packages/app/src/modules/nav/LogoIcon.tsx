import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: {
    width: 28,
    height: 28,
    flexShrink: 0,
  },
  hull: {
    fill: '#7df3e1',
  },
  rail: {
    stroke: '#7df3e1',
    strokeWidth: 3,
    strokeLinecap: 'round',
  },
});

/** Slipway's mark: a hull on the slipway rails. */
export const LogoIcon = () => {
  const classes = useStyles();

  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 32"
      role="img"
      aria-label="Slipway"
    >
      <path className={classes.hull} d="M4 12h24l-4 8H8z" />
      <path className={classes.hull} d="M15 4h2v8h-2z" />
      <path className={classes.rail} d="M3 24l26 4M3 28l26 4" />
    </svg>
  );
};
