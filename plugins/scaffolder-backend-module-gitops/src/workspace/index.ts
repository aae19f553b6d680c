export { scaffolderModuleWorkspace } from './module';
export { DatabaseWorkspaceProvider } from './DatabaseWorkspaceProvider';
