import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Where the .proto lives: in the source tree (tsc does not copy it into dist/). */
const protoPath = path.resolve(__dirname, '..', '..', '..', '..', 'runtime', 'scoring', 'protocol', 'open-inference.proto');

/** The service's full name, as it appears in call paths (`/inference.GRPCInferenceService/ModelInfer`). */
const serviceName = 'inference.GRPCInferenceService';

let definition: protoLoader.PackageDefinition | undefined;
let cached: grpc.GrpcObject | undefined;

function packageDefinition(): protoLoader.PackageDefinition {
  definition ??= protoLoader.loadSync(protoPath, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  return definition;
}

/** The `inference.GRPCInferenceService` definition, with snake_case fields and int64 as numbers. */
export function inferenceService(): grpc.ServiceClientConstructor {
  cached ??= grpc.loadPackageDefinition(packageDefinition());
  return (cached.inference as grpc.GrpcObject).GRPCInferenceService as grpc.ServiceClientConstructor;
}

/**
 * The service's methods by name (`ModelInfer`, ...), each with its path and the protobuf
 * (de)serializers grpc-js would use, so the lean HTTP/2 transport encodes exactly the same
 * messages (same object shape: snake_case, int64 as numbers, defaults filled in).
 */
export function inferenceMethods(): Readonly<Record<string, protoLoader.MethodDefinition<object, object>>> {
  return packageDefinition()[serviceName] as protoLoader.ServiceDefinition as Readonly<Record<string, protoLoader.MethodDefinition<object, object>>>;
}

/** The protocol's InferParameter as grpc-js decodes it (oneofs: true adds `parameter_choice`). */
export interface InferParameter {
  bool_param?: boolean;
  int64_param?: number;
  string_param?: string;
  double_param?: number;
  uint64_param?: number;
  parameter_choice?: string;
}
