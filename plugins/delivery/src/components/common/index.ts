export * from './format';
export { SectionNotice, SectionView } from './SectionNotice';
export { denied, serverMessage } from './actions';
export {
  AnalysisPhaseLabel,
  BuildStatusLabel,
  HealthStatusLabel,
  HopStateLabel,
  RolloutPhaseLabel,
  SyncStatusLabel,
} from './StatusLabel';
export { DeliveryCard, StatusGate } from './DeliveryCard';
export { useEntityRef } from './useEntityRef';
export { HeaderRow, SectionCard } from './SectionCard';
export type { SectionContext } from './SectionCard';
