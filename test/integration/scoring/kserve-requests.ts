import * as grpc from '@grpc/grpc-js';
import { kserveDatatype } from '../../../runtime/scoring/internal/kserve-tensors';
import type { TensorData } from '../../../core/scoring/scoring-service';

const model = 'home-feed-ranker';

function bytes(t: TensorData): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** One infer of the flagship model over HTTP with binary tensors; resolves with the status and the `save` head, or the transport error. */
export async function httpInfer(base: string, inputs: Record<string, TensorData>): Promise<{ status: number; save?: Float32Array; error?: string }> {
  const header = Buffer.from(JSON.stringify({
    inputs: Object.entries(inputs).map(([name, t]) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims, parameters: { binary_data_size: t.data.byteLength } })),
    outputs: [{ name: 'save', parameters: { binary_data: true } }],
  }));
  try {
    const res = await fetch(`${base}/v2/models/${model}/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(header.length), 'content-type': 'application/octet-stream' },
      body: Buffer.concat([header, ...Object.values(inputs).map(bytes)]),
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) return { status: res.status, error: body.toString() };
    const json = Number(res.headers.get('inference-header-content-length'));
    return { status: 200, save: new Float32Array(new Uint8Array(body.subarray(json)).buffer) };
  } catch (err) {
    return { status: 0, error: String((err as Error & { cause?: Error }).cause ?? err) };
  }
}

/** One infer of the flagship model over gRPC with raw tensors; resolves with the status code and the `save` head. */
export function grpcInfer(client: grpc.Client, inputs: Record<string, TensorData>): Promise<{ code: grpc.status; save?: Float32Array; error?: string }> {
  return new Promise((resolve) => {
    (client as unknown as { ModelInfer: (r: object, cb: (err: grpc.ServiceError | null, reply?: { raw_output_contents: Buffer[] }) => void) => void }).ModelInfer({
      model_name: model,
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, datatype: kserveDatatype[t.type], shape: t.dims })),
      outputs: [{ name: 'save' }],
      raw_input_contents: Object.values(inputs).map(bytes),
    }, (err, reply) => resolve(err
      ? { code: err.code, error: err.details }
      : { code: grpc.status.OK, save: new Float32Array(new Uint8Array(reply!.raw_output_contents[0]).buffer) }));
  });
}
