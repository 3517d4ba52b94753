import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Where the .proto lives: in the source tree (tsc does not copy it into dist/). */
const protoPath = path.resolve(__dirname, '..', '..', '..', '..', 'runtime', 'scoring', 'protocol', 'open-inference.proto');

let cached: grpc.GrpcObject | undefined;

/** The `inference.GRPCInferenceService` definition, with snake_case fields and int64 as numbers. */
export function inferenceService(): grpc.ServiceClientConstructor {
  if (!cached) {
    const definition = protoLoader.loadSync(protoPath, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
    cached = grpc.loadPackageDefinition(definition);
  }
  return (cached.inference as grpc.GrpcObject).GRPCInferenceService as grpc.ServiceClientConstructor;
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
