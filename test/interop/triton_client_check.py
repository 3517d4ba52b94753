"""Calls `tributary worker` with NVIDIA's official `tritonclient` (HTTP and gRPC).

Reads a JSON spec (model, endpoints, input tensor files, output names, out dir),
checks health and metadata calls, runs `infer` over HTTP with binary tensors,
HTTP with JSON tensors and gRPC, writes each output as raw float32 files and
prints a JSON summary. The mocha test compares the files with session.run.
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

DTYPES = {"FP32": np.float32, "INT64": np.int64}


def load(tensor):
    return np.fromfile(tensor["file"], dtype=DTYPES[tensor["datatype"]]).reshape(tensor["shape"])


def run(spec, variant, module, url, binary):
    client = module.InferenceServerClient(url=url)
    assert client.is_server_live(), "server not live"
    assert client.is_server_ready(), "server not ready"
    assert client.is_model_ready(spec["model"]), "model not ready"
    server = client.get_server_metadata()
    model = client.get_model_metadata(spec["model"])
    if variant == "grpc":
        server_name, model_inputs = server.name, [i.name for i in model.inputs]
    else:
        server_name, model_inputs = server["name"], [i["name"] for i in model["inputs"]]
    inputs = []
    for tensor in spec["inputs"]:
        array = load(tensor)
        infer_input = module.InferInput(tensor["name"], list(array.shape), tensor["datatype"])
        if variant == "grpc":
            infer_input.set_data_from_numpy(array)
        else:
            infer_input.set_data_from_numpy(array, binary_data=binary)
        inputs.append(infer_input)
    if variant == "grpc":
        outputs = [module.InferRequestedOutput(name) for name in spec["outputs"]]
    else:
        outputs = [module.InferRequestedOutput(name, binary_data=binary) for name in spec["outputs"]]
    result = client.infer(spec["model"], inputs, outputs=outputs)
    for name in spec["outputs"]:
        result.as_numpy(name).astype(np.float32).tofile(f"{spec['outdir']}/{variant}-{name}.bin")
    response = result.get_response()
    version = response.model_version if variant == "grpc" else response["model_version"]
    client.close()
    return {"server": server_name, "model_inputs": model_inputs, "model_version": version}


def main():
    spec = json.load(open(sys.argv[1]))
    summary = {
        "http-binary": run(spec, "http-binary", httpclient, spec["http"], True),
        "http-json": run(spec, "http-json", httpclient, spec["http"], False),
        "grpc": run(spec, "grpc", grpcclient, spec["grpc"], True),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
