"""Reads `tributary worker`'s model configuration, statistics and repository index with NVIDIA's
official `tritonclient`, over HTTP and gRPC, as perf_analyzer-style clients do.

Reads the JSON spec of triton_client_check.py; runs a number of infers between two statistics
reads and prints one JSON summary line: the config fields such clients use, the statistics
before and after (the counters that moved), the repository index, and what all-model statistics
(`/v2/models/stats`, an empty model name) list.
"""
import json
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from google.protobuf.json_format import MessageToDict

DTYPES = {"FP32": np.float32, "INT64": np.int64}


def inputs_for(spec, module):
    inputs = []
    for tensor in spec["inputs"]:
        array = np.fromfile(tensor["file"], dtype=DTYPES[tensor["datatype"]]).reshape(tensor["shape"])
        infer_input = module.InferInput(tensor["name"], list(array.shape), tensor["datatype"])
        infer_input.set_data_from_numpy(array)
        inputs.append(infer_input)
    return inputs


def counters(stats):
    """The fields of one model's statistics that the test compares, as plain ints."""
    inference = stats["inference_stats"]
    return {
        "name": stats["name"],
        "version": stats["version"],
        "inference_count": int(stats.get("inference_count", 0)),
        "execution_count": int(stats.get("execution_count", 0)),
        "last_inference": int(stats.get("last_inference", 0)),
        **{f"{k}_count": int(inference.get(k, {}).get("count", 0)) for k in ("success", "fail", "queue", "compute_infer")},
        **{f"{k}_ns": int(inference.get(k, {}).get("ns", 0)) for k in ("success", "queue", "compute_input", "compute_infer", "compute_output")},
    }


def config_fields(config):
    return {
        "name": config["name"],
        "platform": config["platform"],
        "max_batch_size": int(config.get("max_batch_size", 0)),
        "inputs": [[i["name"], i["data_type"], [int(d) for d in i["dims"]]] for i in config["input"]],
        "outputs": [[o["name"], o["data_type"], [int(d) for d in o["dims"]]] for o in config["output"]],
    }


def main():
    spec = json.load(open(sys.argv[1]))
    model, runs = spec["model"], spec.get("runs", 3)
    summary = {}

    http = httpclient.InferenceServerClient(url=spec["http"])
    before = counters(http.get_inference_statistics(model)["model_stats"][0])
    for _ in range(runs):
        http.infer(model, inputs_for(spec, httpclient))
    summary["http-stats-before"] = before
    summary["http-stats-after"] = counters(http.get_inference_statistics(model, "1")["model_stats"][0])
    summary["http-stats-all"] = [s["name"] for s in http.get_inference_statistics()["model_stats"]]
    summary["http-config"] = config_fields(http.get_model_config(model))
    summary["http-index"] = http.get_model_repository_index()
    http.close()

    grpc = grpcclient.InferenceServerClient(url=spec["grpc"])
    as_dict = lambda message: MessageToDict(message, preserving_proto_field_name=True)
    before = counters(as_dict(grpc.get_inference_statistics(model).model_stats[0]))
    for _ in range(runs):
        grpc.infer(model, inputs_for(spec, grpcclient))
    summary["grpc-stats-before"] = before
    summary["grpc-stats-after"] = counters(as_dict(grpc.get_inference_statistics(model, "1").model_stats[0]))
    summary["grpc-stats-all"] = [s.name for s in grpc.get_inference_statistics().model_stats]
    summary["grpc-config"] = config_fields(grpc.get_model_config(model, as_json=True)["config"])
    summary["grpc-index"] = grpc.get_model_repository_index(as_json=True)["models"]
    grpc.close()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
