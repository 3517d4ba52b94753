export * from './batch-result';
export * from './task-pipeline';
export * from './topology-test-driver';
export * from './topology-test-runner';
