export * from './ServiceInventory';
export * from './CreationReport';
export * from './tasks';
