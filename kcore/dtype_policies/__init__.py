"""``kcore.dtype_policies``: the dtypes layers compute in and keep variables in
(Keras 3's ``keras.dtype_policies``).

The quantized policies (``QuantizedDTypePolicy``, ``Int4DTypePolicy``...) come with
quantization.

Example::

    >>> from kcore import dtype_policies
    >>> dtype_policies.get("mixed_bfloat16").compute_dtype
    'bfloat16'
    >>> dtype_policies.get(None) == kcore.config.dtype_policy()
    True
"""

from __future__ import annotations

from typing import Any

from kcore.dtype_policies.dtype_policy import DTypePolicy, FloatDTypePolicy
from kcore.dtype_policies.dtype_policy_map import DTypePolicyMap

__all__ = ["DTypePolicy", "DTypePolicyMap", "FloatDTypePolicy", "deserialize", "get", "serialize"]

ALL_OBJECTS = {DTypePolicy, FloatDTypePolicy, DTypePolicyMap}
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}

#: get()'s answers for policy names (policies are immutable).
_BY_NAME: dict[str, DTypePolicy] = {}


def serialize(dtype_policy: DTypePolicy) -> dict[str, Any]:
    """The Keras 3 config of ``dtype_policy``.

    Example::

        >>> serialize(DTypePolicy("float16"))["config"]
        {'name': 'float16'}
    """
    from kcore.saving.serialization import serialize_keras_object

    return serialize_keras_object(dtype_policy)


def deserialize(config: Any, custom_objects: dict | None = None) -> DTypePolicy:
    """The policy a :func:`serialize` config describes.

    Example::

        >>> deserialize(serialize(DTypePolicy("bfloat16"))).name
        'bfloat16'
    """
    from kcore.saving.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=ALL_OBJECTS_DICT, custom_objects=custom_objects
    )


def get(identifier: Any) -> DTypePolicy:
    """A :class:`DTypePolicy` from ``identifier``: ``None`` (the global policy), a policy
    (returned as is), a config dict, a policy name, or a dtype (string or framework
    dtype object).

    Example::

        >>> get("float16").variable_dtype
        'float16'
    """
    if identifier is None:
        from kcore.config import dtype_policy

        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, str):
        policy = _BY_NAME.get(identifier)
        if policy is None:
            policy = _BY_NAME[identifier] = DTypePolicy(identifier)
        return policy
    if isinstance(identifier, dict):
        return deserialize(identifier)
    from kcore.dtypes import standardize_dtype

    try:
        return DTypePolicy(standardize_dtype(identifier))
    except Exception:
        raise ValueError(
            "Cannot interpret `dtype` argument. Expected a string or an instance of "
            f"DTypePolicy. Received: dtype={identifier!r}"
        ) from None
