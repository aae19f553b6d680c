export { deliveryApiRef } from './DeliveryApi';
export type { DeliveryApi } from './DeliveryApi';
export { DeliveryClient } from './DeliveryClient';
