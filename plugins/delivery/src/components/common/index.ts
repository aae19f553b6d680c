export * from './format';
export { SectionNotice, SectionView } from './SectionNotice';
export {
  BuildStatusLabel,
  HealthStatusLabel,
  HopStateLabel,
  SyncStatusLabel,
} from './StatusLabel';
export { DeliveryCard, StatusGate } from './DeliveryCard';
export { useEntityRef } from './useEntityRef';
export { HeaderRow, SectionCard } from './SectionCard';
