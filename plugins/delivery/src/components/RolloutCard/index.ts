export { RolloutCard } from './RolloutCard';
