import { deliveryPlugin } from './plugin';

describe('delivery', () => {
  it('should export plugin', () => {
    expect(deliveryPlugin).toBeDefined();
  });
});
