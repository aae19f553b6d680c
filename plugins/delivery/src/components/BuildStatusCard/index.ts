export { BuildStatusCard } from './BuildStatusCard';
