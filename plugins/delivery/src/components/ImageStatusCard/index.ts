export { ImageStatusCard, FindingChips } from './ImageStatusCard';
