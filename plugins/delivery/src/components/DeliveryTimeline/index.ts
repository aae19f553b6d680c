export { DeliveryTimeline } from './DeliveryTimeline';
