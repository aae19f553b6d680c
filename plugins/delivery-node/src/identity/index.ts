export * from './policy';
export * from './ServiceAccess';
export * from './serviceRef';
export * from './taskChanges';
