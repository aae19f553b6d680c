export { useDeliveryStatus } from './useDeliveryStatus';
export type { StatusSnapshot } from './statusStore';
