import * as http from 'node:http';
import type { ScoreResult, TensorData } from '../../../core/scoring/scoring-service';
import { RemoteCallError, type InferenceClient, type RemoteModelMetadata } from './inference-client';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson, tensorToJson } from './kserve-tensors';

interface HttpReply { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** An Open Inference Protocol client over HTTP/REST that sends and asks for binary tensors. */
export class KserveHttpClient implements InferenceClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly url: URL;
  private binary?: Promise<boolean>;

  constructor(readonly address: string) {
    this.url = new URL(address);
  }

  async infer(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<ScoreResult> {
    const reply = (await this.supportsBinary(timeoutMs))
      ? await this.inferBinary(model, inputs, outputs, timeoutMs)
      : await this.inferJson(model, inputs, outputs, timeoutMs);
    const jsonLength = Number(reply.headers['inference-header-content-length'] ?? reply.body.length);
    const body = JSON.parse(reply.body.subarray(0, jsonLength).toString('utf8')) as {
      model_version?: string;
      outputs: Array<{ name: string; datatype: string; shape: number[]; data?: unknown; parameters?: { binary_data_size?: number } }>;
    };
    const result: Record<string, TensorData> = {};
    let offset = jsonLength;
    for (const o of body.outputs) {
      const size = o.parameters?.binary_data_size;
      if (typeof size === 'number') {
        result[o.name] = tensorFromBytes(o.name, o.datatype, o.shape, reply.body.subarray(offset, offset + size));
        offset += size;
      } else {
        result[o.name] = tensorFromJson(o.name, o.datatype, o.shape, o.data);
      }
    }
    return { modelVersion: body.model_version ?? '', outputs: result };
  }

  /**
   * Binary tensors are an extension (Triton's) of the JSON protocol; servers
   * that list `binary_tensor_data` in their metadata get them, others (MLServer)
   * get JSON. Asked once per client.
   */
  private supportsBinary(timeoutMs: number): Promise<boolean> {
    this.binary ??= this.call('GET', '/v2', [], timeoutMs, {}).then(
      (reply) => ((JSON.parse(reply.body.toString('utf8')) as { extensions?: string[] }).extensions ?? []).includes('binary_tensor_data'),
      (err: unknown) => {
        this.binary = undefined;
        throw err;
      },
    );
    return this.binary;
  }

  private inferBinary(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<HttpReply> {
    const binary = Object.values(inputs).map(tensorBytes);
    const header = Buffer.from(JSON.stringify({
      inputs: Object.entries(inputs).map(([name, t], i) => ({ name, shape: t.dims, datatype: kserveDatatype[t.type], parameters: { binary_data_size: binary[i].length } })),
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }));
    return this.call('POST', `/v2/models/${encodeURIComponent(model)}/infer`, [header, ...binary], timeoutMs, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    });
  }

  private inferJson(model: string, inputs: Readonly<Record<string, TensorData>>, outputs: readonly string[], timeoutMs: number): Promise<HttpReply> {
    const body = Buffer.from(JSON.stringify({
      inputs: Object.entries(inputs).map(([name, t]) => ({ name, shape: t.dims, datatype: kserveDatatype[t.type], data: tensorToJson(t) })),
      outputs: outputs.map((name) => ({ name })),
    }));
    return this.call('POST', `/v2/models/${encodeURIComponent(model)}/infer`, [body], timeoutMs, { 'content-type': 'application/json' });
  }

  async modelMetadata(model: string, timeoutMs: number): Promise<RemoteModelMetadata> {
    const reply = await this.call('GET', `/v2/models/${encodeURIComponent(model)}`, [], timeoutMs, {});
    const m = JSON.parse(reply.body.toString('utf8')) as { versions?: string[]; inputs?: Array<{ name: string; datatype: string; shape: number[] }>; outputs?: Array<{ name: string; datatype: string; shape: number[] }> };
    const tensor = (t: { name: string; datatype: string; shape: number[] }) => ({ name: t.name, type: t.datatype, shape: t.shape });
    return { versions: m.versions ?? [], inputs: (m.inputs ?? []).map(tensor), outputs: (m.outputs ?? []).map(tensor) };
  }

  close(): void {
    this.agent.destroy();
  }

  private call(method: string, pathname: string, body: Buffer[], timeoutMs: number, headers: http.OutgoingHttpHeaders): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.url.hostname, port: this.url.port, method, path: pathname, agent: this.agent,
        headers: { ...headers, 'content-length': String(body.reduce((n, b) => n + b.length, 0)) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => reject(new RemoteCallError(`${this.address}: ${err.message}`, true)));
        res.on('end', () => {
          const reply = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
          if (reply.status === 200) resolve(reply);
          // 5xx, 503 (not ready, draining) and 429 (queue full) may pass on another endpoint; other 4xx are the request's own fault.
          else reject(new RemoteCallError(`${this.address} answered ${reply.status}: ${reply.body.toString('utf8').slice(0, 300)}`, reply.status >= 500 || reply.status === 429));
        });
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(new RemoteCallError(`${this.address}: ${err.message}`, true)));
      for (const b of body) req.write(b);
      req.end();
    });
  }
}
