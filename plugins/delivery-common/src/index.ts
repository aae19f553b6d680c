/**
 * Wire types, annotation names, permissions and name rules shared by
 * Slipway's delivery plugins and scaffolder modules. No side effects, no
 * secrets: the browser imports this package too.
 *
 * @packageDocumentation
 */

export * from './names';
export * from './annotations';
export * from './permissions';
export * from './status';
export * from './runtime';
export * from './inputs';
export * from './entityAnnotations';
export * from './motion';
