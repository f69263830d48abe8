#!/usr/bin/env python3
"""Make public/models/fixtures/formats-llama: the tiny-random-llama fixture in the file formats the
Hub uses besides single-file fp32 and q8, so the loader is tested on each:

  onnx/model.onnx + onnx/model.onnx_data   fp32 with every weight in an external data file
                                           (config.json: "transformers.js_config":
                                           {"use_external_data_format": {"model.onnx": 1}})
  onnx/model_fp16.onnx                     fp16 weights and activations (onnxruntime's
                                           float16 converter, keep_io_types=False: the graph's
                                           inputs/outputs and hidden states are float16)
  onnx/model_q4.onnx                       MatMulNBits 4-bit weights (block size 16), as the
                                           Hub's `_q4` files

Weights, tokenizer and reference.safetensors are those of tiny-random-llama (same model).
Setup: python3 -m venv .venv && .venv/bin/pip install torch transformers onnx onnxruntime safetensors onnx_ir
Run:   .venv/bin/python tools/models/make_format_fixture.py
"""
import json
import os
import shutil

import onnx
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
from onnxruntime.transformers.float16 import convert_float_to_float16

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCE = os.path.join(ROOT, "public/models/fixtures/tiny-random-llama")
TARGET = os.path.join(ROOT, "public/models/fixtures/formats-llama")


def main():
    if os.path.exists(TARGET):
        shutil.rmtree(TARGET)
    os.makedirs(os.path.join(TARGET, "onnx"))
    for name in ["generation_config.json", "tokenizer.json", "tokenizer_config.json", "reference.safetensors"]:
        shutil.copy(os.path.join(SOURCE, name), os.path.join(TARGET, name))
    with open(os.path.join(SOURCE, "config.json")) as f:
        config = json.load(f)
    # Per file, as the Hub writes it: only the fp32 graph keeps its weights outside.
    config["transformers.js_config"] = {"use_external_data_format": {"model.onnx": 1}}
    with open(os.path.join(TARGET, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(SOURCE, "reference.json")) as f:
        reference = json.load(f)
    reference["name"] = "formats-llama"
    reference["made_by"] = "tools/models/make_format_fixture.py from tiny-random-llama"
    with open(os.path.join(TARGET, "reference.json"), "w") as f:
        json.dump(reference, f, indent=2)

    model = onnx.load(os.path.join(SOURCE, "onnx/model.onnx"))
    onnx.save_model(
        model,
        os.path.join(TARGET, "onnx/model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.onnx_data",
        size_threshold=0,
    )

    fp16 = convert_float_to_float16(onnx.load(os.path.join(SOURCE, "onnx/model.onnx")), keep_io_types=False)
    onnx.save_model(fp16, os.path.join(TARGET, "onnx/model_fp16.onnx"))

    quantizer = MatMulNBitsQuantizer(onnx.load(os.path.join(SOURCE, "onnx/model.onnx")), block_size=16, is_symmetric=True)
    quantizer.process()
    onnx.save_model(quantizer.model.model, os.path.join(TARGET, "onnx/model_q4.onnx"))
    print("wrote", TARGET, sorted(os.listdir(os.path.join(TARGET, "onnx"))))


if __name__ == "__main__":
    main()
