"""TextVectorization: strings to token indices or bag-of-words encodings, in NumPy.

Example::

    >>> layer = kcore.layers.TextVectorization(output_sequence_length=3)
    >>> layer.adapt(["the cat sat", "the dog"])
    >>> kcore.ops.convert_to_numpy(layer(["the dog barked"]))
    array([[2, 4, 1]])
"""

from __future__ import annotations

import re
import string
from typing import Any

import numpy as np

from kcore import config as _config
from kcore import ops
from kcore.keras_tensor import KerasTensor
from kcore.layers._hashing import (
    _is_one_batch,
    _output_mode,
    _to_numpy,
    _update_batches,
    stored_dtype,
)
from kcore.layers._lookup import StringLookup, encode_numpy
from kcore.layers.layer import Layer

_PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
# TensorFlow's lower() and whitespace split (what Keras uses) are ASCII-only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_WHITESPACE = re.compile("[ \t\n\v\f\r]+")
_STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = (None, "whitespace", "character")
_MODES = ("int", "multi_hot", "count", "tf_idf")


def _text(value: Any, encoding: str) -> str:
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode(encoding)
    return str(value)


class TextVectorization(Layer):
    """Turn strings into sequences of token indices or into token encodings.

    Each string is standardized (``"lower_and_strip_punctuation"``, ``"lower"``,
    ``"strip_punctuation"``, ``None`` or a callable on a str), split
    (``"whitespace"``, ``"character"``, ``None`` or a callable returning a list of
    tokens), optionally made into n-grams (joined by a space), then looked up in the
    vocabulary (index 0: padding, 1: OOV). Inputs are lists or NumPy arrays of
    strings, of shape ``(batch,)`` or ``(batch, 1)``; outputs are backend tensors.

    Args:
        max_tokens: the largest vocabulary (padding and OOV included).
        standardize: see above.
        split: see above.
        ngrams: ``None``, an int ``n`` (1- to n-grams) or a tuple of n-gram sizes.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: with ``"int"``, pad or cut sequences to this length.
        pad_to_max_tokens: pad encodings to ``max_tokens`` bins.
        vocabulary: a list of strings or a path to a text file.
        idf_weights: with ``"tf_idf"``, one weight per vocabulary term.
        sparse: unsupported (must be False).
        ragged: unsupported (must be False).
        encoding: the text encoding of ``bytes`` inputs.

    Example::

        >>> layer = kcore.layers.TextVectorization(output_mode="multi_hot")
        >>> layer.adapt(["a b", "b c"])
        >>> kcore.ops.convert_to_numpy(layer(["a c"]))
        array([[0, 0, 1, 1]])
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: Any = "lower_and_strip_punctuation",
        split: Any = "whitespace",
        ngrams: Any = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        if not (standardize in _STANDARDIZE or callable(standardize)):
            raise ValueError(
                f"TextVectorization: standardize must be one of {_STANDARDIZE} or a "
                f"callable, received standardize={standardize!r}"
            )
        if not (split in _SPLIT or callable(split)):
            raise ValueError(
                f"TextVectorization: split must be one of {_SPLIT} or a callable, "
                f"received split={split!r}"
            )
        output_mode = _output_mode(output_mode, _MODES, "TextVectorization")
        if ngrams is not None and not (
            (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams > 0)
            or (
                isinstance(ngrams, tuple | list)
                and all(isinstance(n, int) and n > 0 for n in ngrams)
            )
        ):
            raise ValueError(
                "TextVectorization: ngrams must be None, a positive int or a tuple of "
                f"positive ints, received ngrams={ngrams!r}"
            )
        if output_sequence_length is not None and (
            not isinstance(output_sequence_length, int) or output_sequence_length <= 0
        ):
            raise ValueError(
                "TextVectorization: output_sequence_length must be a positive int, "
                f"received output_sequence_length={output_sequence_length!r}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "TextVectorization: output_sequence_length may only be set with "
                f"output_mode='int', received output_mode={output_mode!r}"
            )
        if ragged:
            raise ValueError(
                f"TextVectorization: ragged outputs are not supported, received ragged={ragged}"
            )
        if sparse:
            raise ValueError(
                f"TextVectorization: sparse outputs are not supported, received sparse={sparse}"
            )
        self.max_tokens = max_tokens
        self.standardize = standardize
        self.split = split
        self.ngrams = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngram_sizes = (
            None
            if ngrams is None
            else tuple(range(1, ngrams + 1))
            if isinstance(ngrams, int)
            else tuple(ngrams)
        )
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.pad_to_max_tokens = pad_to_max_tokens
        self.sparse = sparse
        self.ragged = ragged
        self.encoding = encoding
        self._convert_inputs = False
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            sparse=sparse,
            encoding=encoding,
            name=f"{self.name}_lookup",
        )
        self.built = True

    # ------------------------------------------------------------------- text
    def _tokens(self, text: str) -> list[str]:
        std = self.standardize
        if std in ("lower", "lower_and_strip_punctuation"):
            text = text.translate(_ASCII_LOWER)
        if std in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        elif callable(std):
            text = _text(std(text), self.encoding)
        split = self.split
        if split is None:
            tokens = [text]
        elif split == "whitespace":
            tokens = [t for t in _WHITESPACE.split(text) if t]
        elif split == "character":
            tokens = list(text)
        else:
            tokens = [_text(t, self.encoding) for t in split(text)]
        if self._ngram_sizes is not None:
            grams: list[str] = []
            for n in self._ngram_sizes:
                grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
            tokens = grams
        return tokens

    def _documents(self, inputs: Any) -> tuple[np.ndarray, list[list[str]]]:
        array = np.asarray(_to_numpy(inputs))
        if array.ndim > 1 and array.shape[-1] == 1:
            array = array[..., 0]
        return array, [self._tokens(_text(v, self.encoding)) for v in array.reshape(-1)]

    # -------------------------------------------------------------- vocabulary
    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary (index ``i`` holds token ``i``).

        Example::

            >>> kcore.layers.TextVectorization(vocabulary=["a"]).get_vocabulary()
            ['', '[UNK]', 'a']
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The vocabulary's size, padding and OOV tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Replace the vocabulary (and, with ``"tf_idf"``, the IDF weights)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def update_state(self, data: Any) -> None:
        """Count the tokens of one batch of strings (each string a document)."""
        _, docs = self._documents(data)
        width = max((len(d) for d in docs), default=0)
        if not docs:
            return
        rows = np.array([d + [""] * (width - len(d)) for d in docs], dtype=object)
        if rows.ndim == 1:
            rows = rows.reshape(len(docs), width)
        lookup = self._lookup_layer
        lookup.update_state(rows)
        # The padding "" is the mask token: it is dropped from the counts at
        # finalize; document counts ignore it the same way.

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def adapt(self, data: Any, batch_size: Any = None, steps: int | None = None) -> None:
        """Learn the vocabulary from strings: a list or array, or an iterable of
        batches (at most ``steps`` of them).

        Example::

            >>> layer = kcore.layers.TextVectorization()
            >>> layer.adapt(["b a", "b"])
            >>> layer.get_vocabulary()
            ['', '[UNK]', 'b', 'a']
        """
        self.reset_state()
        if _is_one_batch(data):
            self.update_state(data)
        else:
            _update_batches(self, data, steps)
        self.finalize_state()

    def save_own_variables(self, store: Any) -> None:
        """Store the IDF weights (see :meth:`StringLookup.save_own_variables`)."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: Any) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        """Write an adapted vocabulary to ``dir_path/vocabulary.txt``."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    # -------------------------------------------------------------------- call
    def call(self, inputs: Any) -> Any:
        array, docs = self._documents(inputs)
        lookup = self._lookup_layer
        if self.output_mode == "int":
            if self.split is None and self._ngram_sizes is None:
                flat = np.array([d[0] for d in docs], dtype=object)
                return ops.convert_to_tensor(lookup._lookup(flat).reshape(array.shape))
            length = self.output_sequence_length
            if length is None:
                length = max((len(d) for d in docs), default=0)
            out = np.zeros((len(docs), length), dtype="int64")
            for i, doc in enumerate(docs):
                ids = lookup._lookup(np.array(doc[:length], dtype=object)) if doc else []
                out[i, : len(ids)] = ids
            return ops.convert_to_tensor(out.reshape((*array.shape, length)))
        depth = lookup._depth()
        flat_docs = docs
        counts = np.zeros((len(flat_docs), depth), dtype="float64")
        for i, doc in enumerate(flat_docs):
            if doc:
                ids = lookup._lookup(np.array(doc, dtype=object))
                counts[i] = encode_numpy(ids[None], "count", depth, "float64")[0]
        counts = counts.reshape((*array.shape, depth))
        if self.output_mode == "multi_hot":
            return ops.convert_to_tensor(np.minimum(counts, 1).astype("int64"))
        if self.output_mode == "count":
            return ops.convert_to_tensor(counts.astype("int64"))
        weights = lookup.idf_weights
        if weights is None:
            raise ValueError(
                "TextVectorization: output_mode='tf_idf' needs idf_weights (give them, "
                "or call adapt())"
            )
        return ops.convert_to_tensor((counts * weights[:depth]).astype(_config.floatx()))

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        if self.output_mode == "int":
            if self.split is None and self._ngram_sizes is None:
                return shape
            return (*shape, self.output_sequence_length)
        depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        return (*shape, depth)

    def compute_output_spec(self, inputs: Any) -> Any:
        dtype = _config.floatx() if self.output_mode == "tf_idf" else stored_dtype("int64")
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        def maybe(fn: Any) -> Any:
            return fn if fn is None or isinstance(fn, str) else serialize_keras_object(fn)

        lookup = self._lookup_layer
        vocabulary = lookup.input_vocabulary
        idf = lookup.input_idf_weights
        return {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": maybe(self.standardize),
            "split": maybe(self.split),
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "vocabulary": None
            if vocabulary is None
            else [
                v.decode(self.encoding) if isinstance(v, bytes) else str(v)
                for v in np.asarray(_to_numpy(vocabulary)).reshape(-1)
            ],
            "idf_weights": None
            if idf is None
            else [float(v) for v in np.asarray(_to_numpy(idf)).reshape(-1)],
            "encoding": self.encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        from kcore.saving.serialization import deserialize_keras_object

        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key])
        return super().from_config(config)
