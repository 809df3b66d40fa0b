"""The step functions a backend hands over through the ``kcore_trainer`` hook.

:class:`Steps` is the contract and the eager default: a backend subclasses it, sets
its default ``train_step``/``test_step``/``predict_step`` (the logic of one step in the
backend's idiom, which ``Model.train_step`` etc. call unless the user overrides them)
and compiles the ``*_function`` runners that push a group of batches through the
model's (possibly overridden) step methods. Used as is, it runs ``evaluate`` and
``predict`` eagerly on any backend and refuses ``fit`` where the backend computes no
gradients (numpy, openvino).

Example (a backend's trainer module, named by its descriptor's ``trainer=``)::

    class ToySteps(Steps):
        def train_step(self, model, data):
            ...   # forward, loss, gradients, model.optimizer.apply(...)

    def make_trainer(backend, model):
        return ToySteps(backend, model)
"""

from __future__ import annotations

from typing import Any

from kcore import _tree
from kcore.trainers.data_adapters.data_adapter_utils import unpack_x_y_sample_weight


class Steps:
    """Step functions for one compiled model on one backend.

    Attributes:
        auto_jit_compile: what ``compile(jit_compile="auto")`` resolves to.
        allows_no_loss: whether a step may run without any loss (jax: a custom
            stateless step may compute it elsewhere).
    """

    auto_jit_compile = False
    allows_no_loss = False

    def __init__(self, backend: Any, model: Any) -> None:
        self.backend = backend
        self.model = model
        self._to_tensor = backend.convert_to_tensor
        self.reset()

    def reset(self) -> None:
        """Forget compiled functions (``run_eagerly``/``jit_compile`` changed)."""
        self._compiled: dict[str, Any] = {}

    # ------------------------------------------------------------- conversion
    def convert_leaf(self, value: Any) -> Any:
        """A batch leaf (NumPy array, another framework's tensor) as this backend's
        tensor."""
        if value is None or self.backend.is_tensor(value):
            return value
        if type(value).__module__.startswith(("torch", "tensorflow")):
            value = value.numpy()  # another framework's tensor: through NumPy
        return self._to_tensor(value)

    def convert(self, batch: Any) -> Any:
        """Every leaf of ``batch`` through :meth:`convert_leaf`."""
        return _tree.map_structure(self.convert_leaf, batch)

    def batch_size(self, x: Any) -> Any:
        """The leading dimension of the first array of ``x`` (a tensor where the
        backend traces with unknown shapes)."""
        return _tree.flatten(x)[0].shape[0]

    # ---------------------------------------------------- default step logic
    def train_step(self, model: Any, data: Any) -> Any:
        raise RuntimeError(
            f"fit() needs a backend that computes gradients; '{self.backend.name}' is "
            "inference-only. Select jax, torch or tensorflow (KCORE_BACKEND=jax) to train, "
            "then load the model here for evaluate() and predict()"
        )

    def test_step(self, model: Any, data: Any) -> Any:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = model(x, training=False)
        loss = model._compute_loss(x, y, y_pred, sample_weight, training=False)
        model._loss_tracker.update_state(loss, sample_weight=self.batch_size(y_pred))
        return model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, model: Any, data: Any) -> Any:
        x, _, _ = unpack_x_y_sample_weight(data)
        return model(x, training=False)

    # ----------------------------------------------------------------- runners
    def begin(self, mode: str) -> None:
        """Called before a loop of ``mode`` ("train", "test", "predict") starts."""

    def end(self, mode: str) -> None:
        """Called after the loop (also when it fails)."""

    def sync(self) -> None:
        """Write any state held outside the variables back into them (jax)."""

    def compile_step(self, fn: Any, name: str) -> Any:
        """``fn`` (the model's bound ``train_step``, ``test_step`` or ``predict_step``,
        or :meth:`group` of one) as this backend runs it; the eager default returns it
        unchanged."""
        return fn

    def compiles_groups(self) -> bool:
        """Whether a group of ``steps_per_execution`` batches runs as one compiled
        call (:meth:`group` through :meth:`compile_step`) rather than one call per
        batch; the eager default does not."""
        return False

    def group(self, step: Any, name: str) -> Any:
        """``step`` run over a tuple of batches, as one function to compile: it returns
        the last step's logs (``predict_step``: the list of outputs). A backend whose
        steps thread their state (jax) overrides it."""
        if name == "predict_step":
            return lambda batches: [step(batch) for batch in batches]

        def run_group(batches: Any) -> Any:
            logs = None
            for batch in batches:
                logs = step(batch)
            return logs

        return run_group

    def _step(self, name: str, grouped: bool = False) -> Any:
        key = f"{name}:group" if grouped else name
        fn = self._compiled.get(key)
        if fn is None:
            fn = getattr(self.model, name)
            if grouped:
                fn = self.group(fn, name)
            fn = self._compiled[key] = self.compile_step(fn, name)
        return fn

    def _run_steps(self, name: str, batches: list[Any]) -> Any:
        """The last step's logs (``predict_step``: the outputs of each batch)."""
        converted = tuple(self.convert(batch) for batch in batches)
        if len(batches) > 1 and self.compiles_groups():
            return self._step(name, grouped=True)(converted)
        return self.group(self._step(name), name)(converted)  # one call per batch

    def train_function(self, batches: list[Any]) -> Any:
        """Run ``model.train_step`` on each batch; the last step's logs."""
        return self._run_steps("train_step", batches)

    def test_function(self, batches: list[Any]) -> Any:
        """Run ``model.test_step`` on each batch; the last step's logs."""
        return self._run_steps("test_step", batches)

    def predict_function(self, batches: list[Any]) -> list[Any]:
        """Run ``model.predict_step`` on each batch; the outputs of each."""
        return self._run_steps("predict_step", batches)
