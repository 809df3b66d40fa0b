"""``kcore.callbacks``: Keras 3's callbacks, hooks into ``fit``, ``evaluate`` and
``predict``.

Example::

    >>> import kcore
    >>> callbacks = [
    ...     kcore.callbacks.EarlyStopping(monitor="val_loss", patience=3),
    ...     kcore.callbacks.CSVLogger("training.csv"),
    ... ]
    >>> model.fit(x, y, validation_split=0.2, callbacks=callbacks)   # doctest: +SKIP
"""

from kcore.callbacks.backup_and_restore import BackupAndRestore
from kcore.callbacks.callback import Callback
from kcore.callbacks.callback_list import CallbackList
from kcore.callbacks.csv_logger import CSVLogger
from kcore.callbacks.early_stopping import EarlyStopping
from kcore.callbacks.history import History
from kcore.callbacks.lambda_callback import LambdaCallback
from kcore.callbacks.learning_rate_scheduler import LearningRateScheduler
from kcore.callbacks.model_checkpoint import ModelCheckpoint
from kcore.callbacks.orbax_checkpoint import OrbaxCheckpoint
from kcore.callbacks.progbar_logger import ProgbarLogger
from kcore.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from kcore.callbacks.remote_monitor import RemoteMonitor
from kcore.callbacks.swap_ema_weights import SwapEMAWeights
from kcore.callbacks.tensorboard import TensorBoard
from kcore.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "OrbaxCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
]
