"""``FeatureSpace``: one-step preprocessing of structured (tabular) data into model inputs.

Each named feature gets a preprocessing layer (``Normalization``, ``StringLookup``,
``IntegerLookup``, ``Hashing``, ``Discretization``, ``Rescaling`` or an identity), learnt
from data by :meth:`FeatureSpace.adapt`; categorical features are one-hot encoded,
optional feature crosses are hashed with ``HashedCrossing``, and the encodings are
concatenated into one float32 vector per sample (or returned as a dict).

kcore's departure: the preprocessing runs on kcore's layers on every backend (Keras
routes it through TensorFlow). Symbolic tensors have no string dtype in kcore, so
``get_inputs`` is refused when a feature is a string feature; the training pattern
``Model(inputs=feature_space.get_encoded_features(), ...)`` works for every feature
space, and ``feature_space(data)`` encodes raw data eagerly.

Example::

    >>> space = kcore.utils.FeatureSpace(
    ...     {"age": "float_normalized", "city": "string_categorical"})
    >>> space.adapt({"age": [30.0, 40.0, 50.0], "city": ["a", "b", "a"]})
    >>> kcore.ops.convert_to_numpy(space({"age": [40.0], "city": ["b"]})).round(2)
    array([[0., 0., 0., 1.]], dtype=float32)
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from kcore import layers, ops
from kcore.keras_tensor import KerasTensor
from kcore.layers.layer import Layer
from kcore.saving.serialization import deserialize_keras_object, serialize_keras_object

_INTERNAL_MODULE = "keras.src.layers.preprocessing.feature_space"
_auto_counts: dict[str, itertools.count] = {}


def _auto_name(prefix: str) -> str:
    count = next(_auto_counts.setdefault(prefix, itertools.count()))
    return prefix if count == 0 else f"{prefix}_{count}"


def _module_objects() -> dict[str, Any]:
    return {"Feature": Feature, "Cross": Cross, "TFDIdentity": TFDIdentity, "TFDConcat": TFDConcat}


class Cross:
    """A feature cross: the named features hashed together into ``crossing_dim`` bins.

    Example::

        >>> FeatureSpace.cross(("city", "job"), crossing_dim=16).name
        'city_X_job'
    """

    _keras_module = _INTERNAL_MODULE

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                f"Cross: output_mode must be 'int' or 'one_hot', received {output_mode!r}"
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict[str, Any]:
        return {
            "feature_names": self.feature_names,
            "crossing_dim": self.crossing_dim,
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Cross:
        return cls(**config)


class Feature:
    """A feature: its input dtype, its preprocessing layer and how it is encoded
    (``"int"``, ``"one_hot"`` or ``"float"``).

    Example::

        >>> FeatureSpace.feature("float32", kcore.layers.Rescaling(0.5), "float").dtype
        'float32'
    """

    _keras_module = _INTERNAL_MODULE

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError(
                "Feature: output_mode must be 'int', 'one_hot' or 'float', received "
                f"{output_mode!r}"
            )
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_keras_object(preprocessor, module_objects=_module_objects())
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict[str, Any]:
        return {
            "dtype": self.dtype,
            "preprocessor": serialize_keras_object(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Feature:
        return cls(**config)


class TFDIdentity(Layer):
    """The preprocessing of a plain ``"float"`` feature: its values as float32."""

    _keras_module = _INTERNAL_MODULE

    def call(self, x):
        return ops.cast(x, "float32")

    def compute_output_spec(self, x):
        return KerasTensor(x.shape, "float32")


class TFDConcat(Layer):
    """Concatenates the encoded features along ``axis`` (float32)."""

    _keras_module = _INTERNAL_MODULE

    def __init__(self, axis, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, xs):
        return ops.concatenate([ops.cast(x, "float32") for x in xs], axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list | tuple | int | float | str | bytes | np.generic):
        return np.asarray(value)
    if type(value).__module__.split(".")[0] == "tensorflow" and hasattr(value, "numpy"):
        value = value.numpy()  # tf string tensors: bytes arrays
        return value if isinstance(value, np.ndarray) else np.asarray(value)
    return np.asarray(ops.convert_to_numpy(value))


def _as_column(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind == "S":  # bytes from TensorFlow: text, as StringLookup expects
        array = np.char.decode(array, "utf-8")
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array[:, np.newaxis]
    return array


def _batches(dataset: Any) -> list[dict[str, Any]]:
    """The dict batches of ``dataset`` (a dict of arrays, a tf.data.Dataset, a
    PyDataset or any iterable of dicts), as NumPy."""
    if isinstance(dataset, dict):
        return [{k: _to_numpy(v) for k, v in dataset.items()}]
    if type(dataset).__module__.split(".")[0] == "tensorflow" and hasattr(
        dataset, "as_numpy_iterator"
    ):
        items = dataset.as_numpy_iterator()
    elif hasattr(dataset, "__iter__"):
        items = iter(dataset)
    else:
        raise ValueError(
            "FeatureSpace.adapt expects a dict of arrays or lists, a tf.data.Dataset or an "
            f"iterable of such dicts (e.g. a PyDataset); received {type(dataset).__name__}"
        )
    batches = []
    for item in items:
        if isinstance(item, tuple):  # (features, labels) batches: the features
            item = item[0]
        if not isinstance(item, dict):
            raise ValueError(
                "FeatureSpace.adapt expects the dataset to yield dicts of feature name to "
                f"values, received a {type(item).__name__}"
            )
        batches.append({k: _to_numpy(v) for k, v in item.items()})
    if not batches:
        raise ValueError("FeatureSpace.adapt received an empty dataset")
    return batches


class FeatureSpace(Layer):
    """Preprocess and encode a dict of structured features in one step.

    Args:
        features: a dict of feature name to a :class:`Feature` or one of the strings
            ``"float"``, ``"float_rescaled"``, ``"float_normalized"``,
            ``"float_discretized"``, ``"integer_categorical"``, ``"integer_hashed"``,
            ``"string_categorical"``, ``"string_hashed"``.
        output_mode: ``"concat"`` (one float32 vector per sample) or ``"dict"``.
        crosses: feature crosses: :class:`Cross` objects or tuples of feature names.
        crossing_dim: the number of hash bins of a cross given as a tuple.
        hashing_dim: the number of hash bins of ``"*_hashed"`` features.
        num_discretization_bins: the number of bins of ``"float_discretized"``.
        name: the layer's name.

    Example::

        >>> space = FeatureSpace(
        ...     {"x": "float", "color": FeatureSpace.string_categorical(num_oov_indices=0),
        ...      "n": "integer_categorical"},
        ...     crosses=[("color", "n")], crossing_dim=8)
        >>> space.adapt({"x": [1.0, 2.0], "color": ["red", "blue"], "n": [1, 2]})
        >>> space({"x": [1.5], "color": ["red"], "n": [2]}).shape
        (1, 14)
    """

    _keras_module = "keras.utils"

    # --------------------------------------------------------------- feature makers
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        """A :class:`Cross` of ``feature_names`` into ``crossing_dim`` bins."""
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        """A :class:`Feature` with a preprocessing layer of your own."""
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        """A float feature passed through as is."""
        name = name or _auto_name("float")
        return Feature(
            "float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"), "float"
        )

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        """A float feature mapped to ``x * scale + offset``."""
        name = name or _auto_name("float_rescaled")
        layer = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_normalized(cls, name=None):
        """A float feature normalized to mean 0 and variance 1 (learnt by ``adapt``)."""
        name = name or _auto_name("float_normalized")
        layer = layers.Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", layer, "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        """A float feature bucketed into ``num_bins`` quantile bins (learnt by ``adapt``)."""
        name = name or _auto_name("float_discretized")
        layer = layers.Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor"
        )
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        """An integer category, indexed by a vocabulary learnt by ``adapt``."""
        name = name or _auto_name("integer_categorical")
        layer = layers.IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        """A string category, indexed by a vocabulary learnt by ``adapt``."""
        name = name or _auto_name("string_categorical")
        layer = layers.StringLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        """A string category hashed into ``num_bins`` bins."""
        name = name or _auto_name("string_hashed")
        return Feature(
            "string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode
        )

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        """An integer category hashed into ``num_bins`` bins."""
        name = name or _auto_name("integer_hashed")
        return Feature(
            "int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode
        )

    # ------------------------------------------------------------------- building
    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
    ):
        super().__init__(name=name)
        if not features:
            raise ValueError("FeatureSpace: features must be a non-empty dict of name to feature")
        if output_mode not in ("concat", "dict"):
            raise ValueError(
                f"FeatureSpace: output_mode must be 'concat' or 'dict', received {output_mode!r}"
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {
            key: self._standardize_feature(key, value) for key, value in features.items()
        }
        self.crosses = []
        for cross in crosses or ():
            if isinstance(cross, dict):
                cross = deserialize_keras_object(cross, module_objects=_module_objects())
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError(
                        "FeatureSpace: crosses given as tuples of names need crossing_dim, "
                        "the number of hash bins of the crossing space"
                    )
                cross = Cross(cross, crossing_dim=crossing_dim)
            unknown = [key for key in cross.feature_names if key not in self.features]
            if unknown:
                raise ValueError(
                    f"FeatureSpace: the cross {cross.feature_names} names features {unknown} "
                    f"that are not in features ({sorted(self.features)})"
                )
            self.crosses.append(cross)
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.preprocessors = {key: feature.preprocessor for key, feature in self.features.items()}
        self.crossers = {
            cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name)
            for cross in self.crosses
        }
        self.inputs = {
            key: layers.Input(shape=(1,), dtype=feature.dtype, name=key)
            for key, feature in self.features.items()
            if feature.dtype != "string"
        }
        self.one_hot_encoders: dict[str, Any] = {}
        self.concat = TFDConcat(axis=-1) if output_mode == "concat" else None
        self.encoded_features = None
        self._is_adapted = False
        self._sublayers_built = False

    def _standardize_feature(self, key: str, feature: Any) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_keras_object(feature, module_objects=_module_objects())
        makers = {
            "float": lambda: self.float(name=key),
            "float_normalized": lambda: self.float_normalized(name=key),
            "float_rescaled": lambda: self.float_rescaled(name=key),
            "float_discretized": lambda: self.float_discretized(
                self.num_discretization_bins, name=key
            ),
            "integer_categorical": lambda: self.integer_categorical(name=key),
            "string_categorical": lambda: self.string_categorical(name=key),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=key),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=key),
        }
        if feature not in makers:
            raise ValueError(
                f"FeatureSpace: feature {key!r} has an unknown type {feature!r}; expected a "
                f"Feature or one of {', '.join(makers)}"
            )
        return makers[feature]()

    def _adaptable(self) -> list[str]:
        names = []
        for key, layer in self.preprocessors.items():
            if isinstance(layer, layers.Normalization) and layer.input_mean is not None:
                continue
            if isinstance(layer, layers.TextVectorization) and getattr(
                layer, "_has_input_vocabulary", False
            ):
                continue
            if isinstance(layer, layers.Discretization) and layer.num_bins is None:
                continue  # given bin_boundaries: nothing to learn
            if hasattr(layer, "adapt"):
                names.append(key)
        return names

    def adapt(self, dataset):
        """Learn every preprocessing layer's state (vocabularies, means, bins) from data.

        Args:
            dataset: a dict of feature name to arrays or lists, a ``tf.data.Dataset``
                of such dicts, or any iterable of them (a ``PyDataset``...).

        Example::

            >>> space.adapt({"age": [30.0, 40.0], "city": ["a", "b"]})   # doctest: +SKIP
        """
        batches = _batches(dataset)
        for key in self._adaptable():
            missing = [i for i, batch in enumerate(batches) if key not in batch]
            if missing:
                raise ValueError(
                    f"FeatureSpace.adapt: the data has no values for feature {key!r} "
                    f"(keys found: {sorted(batches[missing[0]])})"
                )
            column = np.concatenate([_as_column(batch[key]) for batch in batches])
            self.preprocessors[key].adapt(column)
        self._is_adapted = True
        self._finish_building()

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError(
                    "FeatureSpace: call .adapt(dataset) before using the feature space "
                    f"(features {self._adaptable()} learn from data)"
                )
            self._is_adapted = True

    def _finish_building(self) -> None:
        self._check_if_adapted()
        for key, spec in itertools.chain(self.features.items(), self.crosses_by_name.items()):
            if spec.output_mode != "one_hot" or key in self.one_hot_encoders:
                continue
            layer = self.preprocessors.get(key) or self.crossers.get(key)
            self.one_hot_encoders[key] = layers.CategoryEncoding(
                num_tokens=self._cardinality(key, layer), output_mode="multi_hot"
            )
        self._sublayers_built = True
        self.built = True

    @staticmethod
    def _cardinality(key: str, layer: Any) -> int:
        if isinstance(layer, layers.IntegerLookup | layers.StringLookup):
            return int(layer.vocabulary_size())
        if isinstance(layer, layers.CategoryEncoding):
            return int(layer.num_tokens)
        if isinstance(layer, layers.Discretization):
            if layer.num_bins is not None:
                return int(layer.num_bins)
            return len(layer.bin_boundaries) + 1
        if isinstance(layer, layers.HashedCrossing | layers.Hashing):
            return int(layer.num_bins)
        raise ValueError(
            f"FeatureSpace: feature {key!r} has output_mode='one_hot' but its preprocessor "
            f"{type(layer).__name__} has no known number of categories; use output_mode='int'"
        )

    # ------------------------------------------------------------------- encoding
    def _encode(self, columns: dict[str, Any]) -> Any:
        preprocessed = {key: self.preprocessors[key](columns[key]) for key in self.features}
        crossed = {
            cross.name: self.crossers[cross.name]([preprocessed[k] for k in cross.feature_names])
            for cross in self.crosses
        }
        merged = {**preprocessed, **crossed}
        names = sorted(preprocessed) + sorted(crossed)
        outputs = {}
        for key in names:
            value = merged[key]
            encoder = self.one_hot_encoders.get(key)
            if encoder is not None:
                value = encoder(value)
            elif self.output_mode == "concat":
                dtype = str(getattr(value, "dtype", ""))
                if "int" in dtype or "str" in dtype:
                    raise ValueError(
                        f"FeatureSpace: cannot concatenate feature {key!r}: it is not encoded "
                        f"(dtype {dtype}); use output_mode='one_hot' for it or "
                        "FeatureSpace(output_mode='dict')"
                    )
            outputs[key] = value
        if self.output_mode == "dict":
            return outputs
        return self.concat([outputs[key] for key in names])

    def _width(self, key: str, spec: Any) -> int:
        if spec.output_mode == "one_hot":
            return int(self.one_hot_encoders[key].num_tokens)
        return 1

    def get_inputs(self):
        """The dict of symbolic inputs (one ``kcore.Input`` of shape ``(1,)`` a feature).

        Refused when a feature holds strings: kcore's symbolic tensors have no string
        dtype (encode raw data with ``feature_space(data)`` instead).

        Example::

            >>> inputs = space.get_inputs()   # doctest: +SKIP
        """
        self._finish_building()
        strings = [key for key, f in self.features.items() if f.dtype == "string"]
        if strings:
            raise ValueError(
                f"FeatureSpace.get_inputs: features {strings} hold strings, and kcore's "
                "symbolic inputs have no string dtype. Encode the raw data with "
                "feature_space(data) (or in your data pipeline) and build the model on "
                "feature_space.get_encoded_features()"
            )
        return dict(self.inputs)

    def get_encoded_features(self):
        """Symbolic encoded features to build a model on.

        When every feature is numeric they are computed from :meth:`get_inputs`, so
        ``Model(space.get_inputs(), outputs)`` is an end-to-end model on raw data;
        otherwise they are fresh inputs of the encoded shape (a ``(None, width)``
        input, or a dict of them), for a model trained on ``feature_space(data)``.

        Example::

            >>> encoded = space.get_encoded_features()               # doctest: +SKIP
            >>> out = kcore.layers.Dense(1)(encoded)                   # doctest: +SKIP
            >>> model = kcore.Model(encoded, out)                      # doctest: +SKIP
        """
        self._finish_building()
        if self.encoded_features is None:
            if len(self.inputs) == len(self.features):
                self.encoded_features = self._encode(self.inputs)
            else:
                specs = {**self.features, **self.crosses_by_name}
                names = sorted(self.features) + sorted(self.crosses_by_name)
                widths = {key: self._width(key, specs[key]) for key in names}
                if self.output_mode == "dict":
                    self.encoded_features = {
                        key: layers.Input(shape=(widths[key],), name=f"{key}_encoded")
                        for key in names
                    }
                else:
                    total = sum(widths.values())
                    self.encoded_features = layers.Input(shape=(total,), name="encoded_features")
        return self.encoded_features

    def __call__(self, data):
        """Encode a dict of raw feature values (a batch, or one sample of scalars).

        Example::

            >>> space({"age": [40.0], "city": ["b"]})   # doctest: +SKIP
        """
        self._finish_building()
        if not isinstance(data, dict):
            raise ValueError(
                "FeatureSpace expects a dict of feature name to values, received "
                f"{type(data).__name__}"
            )
        missing = sorted(set(self.features) - set(data))
        if missing:
            raise ValueError(
                f"FeatureSpace: the data has no values for features {missing} (received "
                f"keys {sorted(data)})"
            )
        columns, single = {}, False
        for key in self.features:
            value = data[key]
            if isinstance(value, KerasTensor):
                return self._encode(data)
            array = _to_numpy(value)
            single = single or array.ndim == 0
            array = _as_column(array)
            dtype = self.features[key].dtype
            if dtype != "string" and array.dtype.kind in "biuf":
                array = array.astype(dtype)
            columns[key] = array
        encoded = self._encode(columns)
        if single:
            if self.output_mode == "dict":
                return {k: ops.squeeze(v, axis=0) for k, v in encoded.items()}
            return ops.squeeze(encoded, axis=0)
        return encoded

    # -------------------------------------------------------------- serialization
    def get_config(self):
        return {
            "features": {k: serialize_keras_object(v) for k, v in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [serialize_keras_object(c) for c in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_build_config(self):
        return {
            key: feature.preprocessor.get_build_config() for key, feature in self.features.items()
        }

    def build_from_config(self, config):
        for key, build_config in (config or {}).items():
            layer = self.features[key].preprocessor
            if not layer.built and build_config:
                layer.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath):
        """Save the feature space to a ``.keras`` file (reload with
        ``kcore.models.load_model``).

        Example::

            >>> space.save("space.keras")   # doctest: +SKIP
        """
        from kcore.saving import saving_lib

        saving_lib.save_model(self, filepath)

    def save_own_variables(self, store):
        return

    def load_own_variables(self, store):
        return
