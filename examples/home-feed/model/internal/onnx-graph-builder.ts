import { onnx } from 'onnx-proto';

/** A symbolic or fixed dimension of a graph input or output. */
export type Dim = number | string;

const elementTypes = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 } as const;

/**
 * A small helper that assembles an ONNX graph node by node. Names are
 * generated from a counter so a graph built twice from the same seed is
 * byte-identical (the committed model file can be checked against the code).
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private counter = 0;

  input(name: string, type: keyof typeof elementTypes, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: keyof typeof elementTypes, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** A float32 constant (weights), stored as raw little-endian bytes. */
  floats(label: string, dims: readonly number[], values: ArrayLike<number>): string {
    const data = Float32Array.from(values);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${label}: ${data.length} values for dims ${dims.join('x')}`);
    const name = `${label}_${this.counter++}`;
    this.initializers.push({ name, dims: [...dims], dataType: elementTypes.float32, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** An int64 constant (axes, indices). An empty dims list makes a scalar. */
  ints(label: string, dims: readonly number[], values: readonly number[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const name = `${label}_${this.counter++}`;
    this.initializers.push({ name, dims: [...dims], dataType: elementTypes.int64, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** Adds one node; returns the name of its (single) output, or `outputName` when given. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, number | number[]> = {}, outputName?: string): string {
    const output = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    const attribute: onnx.IAttributeProto[] = Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value)
        ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
        : Number.isInteger(value)
          ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value }
          : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value });
    this.nodes.push({ opType, input: [...inputs], output: [output], name: `${output}_node`, attribute });
    return output;
  }

  /** Serialises the model (IR version 8, default opset `opset`). */
  build(graphName: string, opset: number, metadata: Record<string, string>): Uint8Array {
    const model: onnx.IModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      producerName: 'tributary',
      producerVersion: '0.1.0',
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: keyof typeof elementTypes, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementTypes[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}
