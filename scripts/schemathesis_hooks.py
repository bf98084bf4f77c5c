"""Schemathesis hooks of scripts/api_fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

A resumable upload's PATCH body is bytes sent as application/offset+octet-stream (tus 1.0):
serialized as any application/octet-stream body.
"""
import schemathesis

schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
