// Everything exported here is registered as a workflow type by the worker.
export { cancelOperation } from './cancel-operation';
export { cancelOperations } from './cancel-operations';
