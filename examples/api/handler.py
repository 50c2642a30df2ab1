"""An order-pricing function with dependencies: the payload is YAML or JSON, checked by pydantic."""
import pydantic
import yaml


class Line(pydantic.BaseModel):
    sku: str
    quantity: pydantic.PositiveInt
    unit_price: pydantic.condecimal(ge=0, decimal_places=2)


class Order(pydantic.BaseModel):
    customer: str
    lines: list[Line]


def handler(payload, ctx):
    # A payload that is not a valid order raises: the host answers 500 with the reason.
    order = Order.model_validate(yaml.safe_load(payload or b"{}"))
    total = sum(line.quantity * line.unit_price for line in order.lines)
    return {"customer": order.customer, "total": str(total), "function": ctx["function_id"]}
