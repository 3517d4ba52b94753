/**
 * Most bytes of one request unless told otherwise: 64 MiB, about 250k rows of the flagship model.
 * Apart from inference-server.ts so that the CLI can show it in `worker --help` without loading gRPC.
 */
export const defaultMaxRequestBytes = 64 * 1024 * 1024;
