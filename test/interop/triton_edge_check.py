"""Drives `tributary worker` with NVIDIA's official `tritonclient` at the protocol's edges.

Reads the same JSON spec as triton_client_check.py and prints one JSON summary line:
infer with gzip and deflate request compression and gzip response compression over
HTTP, gzip and deflate message compression over gRPC (outputs written as raw float32
files for the mocha test to compare with session.run), and how model versions and an
unknown model are answered (ready or not, status, message).
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

DTYPES = {"FP32": np.float32, "INT64": np.int64}


def inputs_for(spec, module, binary):
    inputs = []
    for tensor in spec["inputs"]:
        array = np.fromfile(tensor["file"], dtype=DTYPES[tensor["datatype"]]).reshape(tensor["shape"])
        infer_input = module.InferInput(tensor["name"], list(array.shape), tensor["datatype"])
        if binary is None:
            infer_input.set_data_from_numpy(array)
        else:
            infer_input.set_data_from_numpy(array, binary_data=binary)
        inputs.append(infer_input)
    return inputs


def refusal(call):
    """The status and message of the InferenceServerException a call raises, or None if it succeeds."""
    try:
        call()
    except InferenceServerException as err:
        return {"status": str(err.status()), "message": err.message()}
    return None


def write_outputs(spec, result, variant):
    for name in spec["outputs"]:
        result.as_numpy(name).astype(np.float32).tofile(f"{spec['outdir']}/{variant}-{name}.bin")


def main():
    spec = json.load(open(sys.argv[1]))
    model = spec["model"]
    summary = {}

    http = httpclient.InferenceServerClient(url=spec["http"])
    for request_coding in ("gzip", "deflate"):
        for binary in (True, False):
            variant = f"http-{request_coding}-{'binary' if binary else 'json'}"
            outputs = [httpclient.InferRequestedOutput(name, binary_data=binary) for name in spec["outputs"]]
            result = http.infer(model, inputs_for(spec, httpclient, binary), outputs=outputs,
                                request_compression_algorithm=request_coding, response_compression_algorithm="gzip")
            write_outputs(spec, result, variant)
            summary[variant] = result.get_response()["model_version"]
    summary["http-ready-v1"] = http.is_model_ready(model, "1")
    summary["http-ready-v9"] = http.is_model_ready(model, "9")
    summary["http-infer-v1"] = http.infer(model, inputs_for(spec, httpclient, True), model_version="1").get_response()["model_version"]
    summary["http-infer-v99"] = refusal(lambda: http.infer(model, inputs_for(spec, httpclient, True), model_version="99"))
    summary["http-metadata-v9"] = refusal(lambda: http.get_model_metadata(model, "9"))
    summary["http-unknown-model"] = refusal(lambda: http.get_model_metadata("no-such-model"))
    http.close()

    grpc = grpcclient.InferenceServerClient(url=spec["grpc"])
    for coding in ("gzip", "deflate"):
        variant = f"grpc-{coding}"
        outputs = [grpcclient.InferRequestedOutput(name) for name in spec["outputs"]]
        result = grpc.infer(model, inputs_for(spec, grpcclient, None), outputs=outputs, compression_algorithm=coding)
        write_outputs(spec, result, variant)
        summary[variant] = result.get_response().model_version
    summary["grpc-ready-v1"] = grpc.is_model_ready(model, "1")
    summary["grpc-ready-v9"] = grpc.is_model_ready(model, "9")
    summary["grpc-infer-v99"] = refusal(lambda: grpc.infer(model, inputs_for(spec, grpcclient, None), model_version="99"))
    summary["grpc-metadata-v9"] = refusal(lambda: grpc.get_model_metadata(model, "9"))
    summary["grpc-unknown-model"] = refusal(lambda: grpc.infer("no-such-model", inputs_for(spec, grpcclient, None)))
    grpc.close()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
