""":class:`DTypePolicyMap`: per-layer dtype policies, keyed by layer path."""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from typing import Any

from kcore.dtype_policies.dtype_policy import DTypePolicy


class DTypePolicyMap(DTypePolicy, MutableMapping):
    """A dict from layer paths (or regular expressions matching them in full) to dtype
    policies; paths with no entry get ``default_policy``.

    The map itself acts as its default policy (``compute_dtype``, ``variable_dtype``,
    ``name`` ``"map_<default name>"``), so a model can take it as its ``dtype``.

    Args:
        default_policy: the policy for unlisted paths (anything
            :func:`kcore.dtype_policies.get` takes; ``None``: the global policy).
        policy_map: an initial dict of path -> policy.

    Example::

        >>> policies = DTypePolicyMap(default_policy="float32")
        >>> policies["encoder/dense"] = "bfloat16"
        >>> policies["encoder/dense"].compute_dtype, policies["decoder/dense"].name
        ('bfloat16', 'float32')
    """

    def __init__(self, default_policy: Any = None, policy_map: dict | None = None) -> None:
        from kcore.dtype_policies import get

        if isinstance(default_policy, DTypePolicyMap):
            raise ValueError("`default_policy` cannot be a `DTypePolicyMap`.")
        if policy_map is not None and not isinstance(policy_map, dict):
            raise TypeError(
                "If specified, `policy_map` must be a dict. Received: "
                f"policy_map={policy_map!r} of type {type(policy_map)}"
            )
        self._default_policy_arg = default_policy
        self._default_policy = get(default_policy)
        self._policy_map: dict[str, DTypePolicy] = policy_map or {}

    @property
    def name(self) -> str:
        """``"map_"`` followed by the default policy's name."""
        return f"map_{self.default_policy._name}"

    @property
    def default_policy(self) -> DTypePolicy:
        """The policy of paths with no entry."""
        return self._default_policy

    @property
    def variable_dtype(self) -> str:
        """The default policy's variable dtype."""
        return self.default_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The default policy's compute dtype."""
        return self.default_policy.compute_dtype

    @property
    def quantization_mode(self) -> str | None:
        """The default policy's quantization mode."""
        return self.default_policy.quantization_mode

    def __getitem__(self, key: str) -> DTypePolicy:
        """The policy of ``key``: its own entry, else the one entry whose key (a regular
        expression) matches it in full, else the default policy."""
        if key in self._policy_map:
            return self._policy_map[key]
        matching = [pattern for pattern in self._policy_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple dtype policy specification keys: {matching}. "
                "Please make sure each path only matches at most one dtype policy "
                "specification key in the DTypePolicyMap."
            )
        if matching:
            return self._policy_map[matching[0]]
        return self.default_policy

    def __setitem__(self, key: str, policy: Any) -> None:
        from kcore.dtype_policies import get

        if key in self._policy_map:
            raise ValueError(
                f"{key} already exist in the DTypePolicyMap with value "
                f"{self._policy_map[key]}. Please make sure to not use duplicated keys."
            )
        try:
            policy = get(policy)
        except Exception:
            raise ValueError(
                "Cannot interpret the assigned value by `kcore.dtype_policies.get`. "
                f"Received: {policy!r} of type {type(policy)}"
            ) from None
        self._policy_map[key] = policy

    def __delitem__(self, key: str) -> DTypePolicy:
        return self._policy_map.pop(key)

    def __contains__(self, key: object) -> bool:
        return key in self._policy_map

    def __len__(self) -> int:
        return len(self._policy_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._policy_map)

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def get_config(self) -> dict[str, Any]:
        """``default_policy`` (as given) and the serialized ``policy_map``.

        With no explicit default policy, the policies' names are written as ``None``, as
        Keras 3 does, so that loading takes them from the global policy then.
        """
        from kcore.saving.serialization import serialize_keras_object

        policy_map = serialize_keras_object(self._policy_map)
        if self._default_policy_arg is None:
            for entry in policy_map.values():
                if isinstance(entry, dict) and "name" in entry.get("config", {}):
                    entry["config"]["name"] = None
        return {"default_policy": self._default_policy_arg, "policy_map": policy_map}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: Any = None) -> DTypePolicyMap:
        """The map :meth:`get_config` describes."""
        from kcore.saving.serialization import deserialize_keras_object

        config = dict(config)
        config["policy_map"] = deserialize_keras_object(
            config["policy_map"], custom_objects=custom_objects
        )
        return cls(**config)

    def __repr__(self) -> str:
        default = self._default_policy.name if self._default_policy is not None else None
        mapping = [(k, v.name) for k, v in self._policy_map.items()]
        return f"<DTypePolicyMap at {hex(id(self))} default_policy={default}, mapping={mapping}>"
