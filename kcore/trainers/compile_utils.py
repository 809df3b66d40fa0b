"""What ``Model.compile(loss=..., metrics=...)`` turns into: one loss container and one
metric container that match the user's specification to the model's outputs.

Both are built on the first batch (from its ``y`` and the model's ``y_pred``, real or
symbolic), so their metric variables exist before any step is compiled.

Outputs are matched as Keras 3 matches them: a single loss applies to every output; a
list has one entry per output; a dict is keyed by output name (the output layers' names
of a functional model, or the keys of a dict output). With more than one output, each
output's loss is also tracked as ``<output>_loss`` and each metric is named
``<output>_<metric>``.
"""

from __future__ import annotations

from typing import Any

from kcore import ops, tree
from kcore.metrics import Mean, MeanMetricWrapper, Metric
from kcore.metrics import get as get_metric_object


def tensor_names(tensors: Any) -> list[str | None]:
    """The name of the layer that made each KerasTensor of ``tensors`` (flat order),
    else the tensor's own name."""
    names = []
    for tensor in tree.flatten(tensors):
        history = getattr(tensor, "_keras_history", None)
        layer = history[0] if history else None
        names.append(getattr(layer, "name", None) or getattr(tensor, "name", None))
    return names


def output_names_of(model: Any) -> list[str] | None:
    """The names of a functional model's outputs, in flat output order (else None)."""
    outputs = getattr(model, "outputs", None)
    if not outputs:
        return None
    names = tensor_names(outputs)
    return names if all(names) else None


def _is_binary_or_sparse(y_true: Any, y_pred: Any) -> tuple[bool, bool]:
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    is_binary = bool(pred_shape) and pred_shape[-1] == 1
    is_sparse = len(true_shape) < len(pred_shape) or (
        bool(true_shape) and true_shape[-1] == 1 and bool(pred_shape) and pred_shape[-1] != 1
    )
    return is_binary, is_sparse


def resolve_loss(identifier: Any, y_true: Any, y_pred: Any) -> Any:
    """A Loss object for ``identifier``; "crossentropy"/"ce" picks binary, sparse or
    categorical crossentropy from the shapes, as Keras does."""
    from kcore import losses

    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
        if is_binary:
            identifier = losses.binary_crossentropy
        elif is_sparse:
            identifier = losses.sparse_categorical_crossentropy
        else:
            identifier = losses.categorical_crossentropy
    loss = losses.get(identifier)
    if not isinstance(loss, losses.Loss):
        loss = losses.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    return loss


def resolve_metric(identifier: Any, y_true: Any, y_pred: Any) -> Metric:
    """A Metric object for ``identifier``; "accuracy"/"acc" picks binary, sparse or
    categorical accuracy from the shapes, as Keras does."""
    from kcore import metrics

    if identifier is None:
        raise ValueError("compile: a metric is None; pass a metric name, function or object")
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        is_binary, is_sparse = _is_binary_or_sparse(y_true, y_pred)
        if is_binary:
            metric = metrics.BinaryAccuracy(name=identifier)
        elif is_sparse:
            metric = metrics.SparseCategoricalAccuracy(name=identifier)
        else:
            metric = metrics.CategoricalAccuracy(name=identifier)
        return metric
    metric = get_metric_object(identifier)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric, name=getattr(metric, "__name__", None))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def _prebuild(metric: Metric, y_true: Any, y_pred: Any) -> None:
    """Create the variables of a metric that would make them on its first update
    (F1Score, R2Score, multi-label AUC), so that none appears inside a compiled step."""
    from kcore.metrics import AUC

    if getattr(metric, "_built", True) or not hasattr(metric, "_build"):
        return
    true_shape, pred_shape = tuple(y_true.shape), tuple(y_pred.shape)
    if isinstance(metric, AUC):
        metric._build(pred_shape)
    else:
        metric._build(true_shape, pred_shape)


class _Outputs:
    """Flattens ``y_pred``-shaped structures (and ``y_true``/``sample_weight`` given
    in the same, a list or a name-keyed form) in one agreed order."""

    def __init__(self, y_pred: Any, output_names: list[str] | None) -> None:
        if isinstance(y_pred, dict):
            keys = list(y_pred)
            if output_names and set(output_names) == set(keys):
                keys = list(output_names)
            else:
                keys = sorted(keys)
            self.keys: list[str] | None = keys
            self.names = keys
        else:
            self.keys = None
            flat = tree.flatten(y_pred)
            if output_names and len(output_names) == len(flat):
                self.names = list(output_names)
            else:
                self.names = [None] * len(flat)
        self.count = len(self.names)

    def flatten(self, value: Any, what: str) -> list[Any]:
        if value is None:
            return [None] * self.count
        if isinstance(value, dict):
            names = self.keys or self.names
            missing = [name for name in names if name not in value]
            if missing and not all(name is None for name in names):
                if len(value) == self.count and not self.keys:
                    return tree.flatten(value)
                raise ValueError(
                    f"{what}: expected the keys {names} (the model's outputs), received "
                    f"keys {sorted(value)}"
                )
            return [value.get(name) for name in names]
        if self.keys is not None and self.count == 1 and not isinstance(value, list | tuple):
            return [value]
        flat = tree.flatten(value) if isinstance(value, list | tuple) else [value]
        if len(flat) != self.count:
            if len(flat) == 1:
                return flat * self.count
            raise ValueError(
                f"{what}: the model has {self.count} outputs, received {len(flat)} values"
            )
        return flat


def _per_output(spec: Any, outputs: _Outputs, what: str) -> list[Any]:
    """One entry of ``spec`` per output: a single value for all, a list or a dict."""
    if isinstance(spec, dict):
        names = outputs.keys or outputs.names
        unknown = sorted(set(spec) - set(names))
        if unknown:
            raise ValueError(
                f"compile: {what} has keys {unknown} that are not outputs of the model; "
                f"the outputs are {names}"
            )
        return [spec.get(name) for name in names]
    if isinstance(spec, list | tuple):
        if len(spec) != outputs.count:
            raise ValueError(
                f"compile: {what} has {len(spec)} entries but the model has "
                f"{outputs.count} outputs; pass one per output, or a dict by output name"
            )
        return list(spec)
    return [spec] * outputs.count


class CompileLoss:
    """The total loss of ``compile(loss=..., loss_weights=...)``.

    Calling it with ``(y_true, y_pred, sample_weight)`` returns the weighted sum of the
    per-output losses (each reduced by its Loss object) and, with several outputs,
    updates one ``Mean`` tracker per output (``metrics``).
    """

    name = "compile_loss"

    def __init__(
        self,
        loss: Any,
        loss_weights: Any = None,
        reduction: str = "sum_over_batch_size",
        output_names: list[str] | None = None,
    ) -> None:
        if loss_weights is not None and not isinstance(
            loss_weights, list | tuple | dict | float | int
        ):
            raise ValueError(
                "compile: loss_weights must be a float (one output) or a list or dict "
                f"(several outputs); received {loss_weights!r} of type "
                f"{type(loss_weights).__name__}"
            )
        self._user_loss = loss
        self._user_loss_weights = loss_weights
        self.reduction = reduction
        self.output_names = output_names
        self.built = False
        self.metrics: list[Metric] = []
        self._outputs: _Outputs | None = None
        self._losses: list[tuple[int, Any, Any]] = []

    @property
    def variables(self) -> list[Any]:
        return [v for m in self.metrics for v in m.variables]

    def build(self, y_true: Any, y_pred: Any) -> None:
        outputs = _Outputs(y_pred, self.output_names)
        flat_true = outputs.flatten(y_true, "y")
        flat_pred = outputs.flatten(y_pred, "y_pred")
        losses = _per_output(self._user_loss, outputs, "loss")
        weights = _per_output(self._user_loss_weights, outputs, "loss_weights")
        self._losses = []
        for index, (loss, weight) in enumerate(zip(losses, weights)):
            if loss is None:
                continue
            resolved = resolve_loss(loss, flat_true[index], flat_pred[index])
            self._losses.append((index, resolved, weight))
        if not self._losses:
            raise ValueError("compile: every entry of loss is None; give at least one loss")
        self.metrics = []
        if len(self._losses) > 1:
            for index, loss, _ in self._losses:
                name = outputs.names[index] or loss.name
                self.metrics.append(Mean(name=f"{name}_loss"))
        self._outputs = outputs
        self.built = True

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        if not self.built:
            self.build(y_true, y_pred)
        outputs = self._outputs
        if outputs.count == 1:
            flat_true, flat_pred, flat_weight = [y_true], [y_pred], [sample_weight]
            if isinstance(y_pred, dict | list | tuple):
                flat_pred = outputs.flatten(y_pred, "y_pred")
                flat_true = outputs.flatten(y_true, "y")
                flat_weight = outputs.flatten(sample_weight, "sample_weight")
        else:
            flat_true = outputs.flatten(y_true, "y")
            flat_pred = outputs.flatten(y_pred, "y_pred")
            flat_weight = outputs.flatten(sample_weight, "sample_weight")
        total = None
        for position, (index, loss, weight) in enumerate(self._losses):
            value = loss(flat_true[index], flat_pred[index], flat_weight[index])
            if self.metrics:
                batch = ops.shape(flat_pred[index])[0]
                self.metrics[position].update_state(value, sample_weight=batch)
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        return total


class CompileMetrics(Metric):
    """The metrics of ``compile(metrics=..., weighted_metrics=...)`` as one Metric whose
    result is a dict ``{name: value}`` (Keras 3's ``compile_metrics``)."""

    def __init__(
        self,
        metrics: Any,
        weighted_metrics: Any,
        name: str = "compile_metric",
        output_names: list[str] | None = None,
    ) -> None:
        super().__init__(name=name)
        for value, what in ((metrics, "metrics"), (weighted_metrics, "weighted_metrics")):
            if value and not isinstance(value, list | tuple | dict):
                raise ValueError(
                    f"compile: {what} must be a list, tuple or dict; received {value!r} "
                    f"of type {type(value).__name__}"
                )
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self.output_names = output_names
        self.name = "compile_metrics"
        self.built = False
        self._flat: list[list[tuple[str, Metric]]] = []
        self._flat_weighted: list[list[tuple[str, Metric]]] = []

    @property
    def metrics(self) -> list[Metric]:
        return [m for group in self._flat + self._flat_weighted for _, m in group]

    @property
    def variables(self) -> list[Any]:
        return [v for m in self.metrics for v in m.variables]

    def _build_set(self, spec: Any, outputs: _Outputs, flat_true, flat_pred, what: str):
        if not spec:
            return [[] for _ in range(outputs.count)]
        if outputs.count == 1:
            per_output = [tree.flatten(spec) if not isinstance(spec, dict) else spec]
            if isinstance(spec, dict):
                per_output = [spec.get((outputs.keys or outputs.names)[0]) or []]
        else:
            per_output = _per_output(spec, outputs, what)
        groups = []
        for index, entry in enumerate(per_output):
            entries = [] if entry is None else entry
            if not isinstance(entries, list | tuple):
                entries = [entries]
            group = []
            for identifier in entries:
                metric = resolve_metric(identifier, flat_true[index], flat_pred[index])
                _prebuild(metric, flat_true[index], flat_pred[index])
                prefix = outputs.names[index] if outputs.count > 1 else None
                group.append((f"{prefix}_{metric.name}" if prefix else metric.name, metric))
            groups.append(group)
        return groups

    def build(self, y_true: Any, y_pred: Any) -> None:
        outputs = _Outputs(y_pred, self.output_names)
        flat_true = outputs.flatten(y_true, "y")
        flat_pred = outputs.flatten(y_pred, "y_pred")
        self._flat = self._build_set(self._user_metrics, outputs, flat_true, flat_pred, "metrics")
        self._flat_weighted = self._build_set(
            self._user_weighted_metrics, outputs, flat_true, flat_pred, "weighted_metrics"
        )
        # Result names: a weighted metric whose name is taken gets "weighted_".
        taken: dict[str, int] = {}
        self._names = []
        for weighted, groups in ((False, self._flat), (True, self._flat_weighted)):
            for group in groups:
                for name, metric in group:
                    if name in taken and weighted:
                        base = metric.name
                        prefix = name[: -len(base)] if name.endswith(base) else ""
                        name = f"{prefix}weighted_{base}"
                    if name in taken:
                        taken[name] += 1
                        name = f"{name}_{taken[name] - 1}"
                    else:
                        taken[name] = 1
                    self._names.append((name, metric))
        self._outputs = outputs
        self.built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        outputs = self._outputs
        flat_true = outputs.flatten(y_true, "y")
        flat_pred = outputs.flatten(y_pred, "y_pred")
        flat_weight = outputs.flatten(sample_weight, "sample_weight")
        for group, y_t, y_p in zip(self._flat, flat_true, flat_pred):
            for _, metric in group:
                metric.update_state(y_t, y_p)
        for group, y_t, y_p, s_w in zip(self._flat_weighted, flat_true, flat_pred, flat_weight):
            for _, metric in group:
                metric.update_state(y_t, y_p, sample_weight=s_w)

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    def result(self) -> dict[str, Any]:
        if not self.built:
            return {}
        return {name: metric.result() for name, metric in self._names}

    def get_config(self) -> dict[str, Any]:
        raise TypeError("compile_metrics is rebuilt by compile(); it has no config")
