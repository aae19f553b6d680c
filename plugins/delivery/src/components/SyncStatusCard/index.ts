export { SyncStatusCard } from './SyncStatusCard';
