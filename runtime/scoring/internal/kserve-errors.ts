import * as grpc from '@grpc/grpc-js';
import { GrpcCallError } from './grpc-wire';
import { TributaryError } from '../../../core/errors';
import { canRetry } from '../../../core/failure';
import { ScoringOverloadedError } from '../../../core/scoring/scoring-errors';

/** What went wrong with a protocol request, in the terms both transports map to their own codes. */
export type ProtocolErrorKind = 'invalid' | 'not_found' | 'too_large' | 'overloaded' | 'unavailable';

/** A request the inference server refuses, with the reason a client can act on. */
export class ProtocolError extends TributaryError {
  readonly retriable: boolean;

  constructor(readonly kind: ProtocolErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.retriable = kind === 'overloaded' || kind === 'unavailable';
  }
}

/*
 * Codes as Triton answers them (400 / INVALID_ARGUMENT for a bad request, NOT_FOUND for an unknown
 * model or version, RESOURCE_EXHAUSTED for a message over the size limit), except overload: Triton
 * reports a full queue as UNAVAILABLE, and 429 / RESOURCE_EXHAUSTED here lets a client tell "back off
 * or try another endpoint" from "this server is going away". Both are retriable for the pool client.
 */
const httpStatus: Record<ProtocolErrorKind, number> = { invalid: 400, not_found: 404, too_large: 413, overloaded: 429, unavailable: 503 };
const grpcStatus: Record<ProtocolErrorKind, grpc.status> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  too_large: grpc.status.RESOURCE_EXHAUSTED,
  overloaded: grpc.status.RESOURCE_EXHAUSTED,
  unavailable: grpc.status.UNAVAILABLE,
};

/**
 * The kind of any error a request ended with. Tributary's own errors keep their meaning (a
 * retriable one is the server's state: 503 / UNAVAILABLE, so clients try another endpoint);
 * anything else is a bug here, and its message (`Cannot read properties of null`, ...) names
 * JS internals, not the request, so the client gets a generic line instead.
 */
export function classify(err: unknown): { kind: ProtocolErrorKind | 'internal'; message: string } {
  if (err instanceof ProtocolError) return { kind: err.kind, message: err.message };
  if (err instanceof ScoringOverloadedError) return { kind: 'overloaded', message: err.message };
  if (canRetry(err)) return { kind: 'unavailable', message: (err as Error).message };
  if (err instanceof TributaryError) return { kind: 'invalid', message: err.message };
  return { kind: 'internal', message: 'internal error while serving the request (see the worker log)' };
}

/** The HTTP status and JSON body of an error (`{"error": message}`, as Triton answers). */
export function httpError(err: unknown): { status: number; body: { error: string } } {
  const { kind, message } = classify(err);
  return { status: kind === 'internal' ? 500 : httpStatus[kind], body: { error: message } };
}

/** The gRPC status of an error, always with its message (`grpc-message` must not be empty). */
export function grpcError(err: unknown): GrpcCallError {
  const { kind, message } = classify(err);
  return new GrpcCallError(kind === 'internal' ? grpc.status.INTERNAL : grpcStatus[kind], message);
}
