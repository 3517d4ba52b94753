export * from './lint-problem';
export * from './compiled-topology';
export * from './topology-loader';
export * from './topology-compiler';
export * from './topology-spec';
export * from './topology-describe';
export * from './operator-docs';
export * from './json-schema';
