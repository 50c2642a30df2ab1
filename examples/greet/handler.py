"""The example function: greets whoever the payload names."""

import json

from greeting import greet


def handler(payload, ctx):
    name = "world"
    if payload:
        try:
            name = json.loads(payload).get("name", name)
        except (ValueError, AttributeError):
            name = payload.decode("utf-8", "replace")
    return {"message": greet(name), "function": ctx["function_id"]}
