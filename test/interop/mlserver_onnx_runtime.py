"""A small MLServer runtime that serves an ONNX model with Python onnxruntime.

Used by the interop test: Seldon MLServer (a peer nobody here wrote) serves the
flagship model over the Open Inference Protocol and Tributary's pool client
calls it. The model file comes from `parameters.uri` in model-settings.json.
"""
import onnxruntime
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxRuntimeModel(MLModel):
    async def load(self) -> bool:
        self._session = onnxruntime.InferenceSession(self.settings.parameters.uri, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {request_input.name: NumpyCodec.decode_input(request_input) for request_input in payload.inputs}
        wanted = [o.name for o in payload.outputs] if payload.outputs else self._outputs
        values = self._session.run(wanted, feeds)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output(name, value) for name, value in zip(wanted, values)],
        )
