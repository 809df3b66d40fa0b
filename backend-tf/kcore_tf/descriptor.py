"""Entry point of the tensorflow backend: describes it without importing TensorFlow.

The entry point ``tensorflow = kcore_tf.descriptor:descriptor`` names :data:`descriptor`;
only its factory, :func:`kcore_tf.backend.make_backend`, imports the framework.
"""

from __future__ import annotations

from kcore.backend import BackendDescriptor, BackendInfo

descriptor = BackendDescriptor(
    BackendInfo(
        name="tensorflow",
        distribution="kcore-tf",
        framework="tensorflow",
        aliases=("tf",),
        install="pip install 'kcore[tf]'",
        trainable=True,
        description="TensorFlow (tf.function, tf.GradientTape)",
    ),
    factory="kcore_tf.backend:make_backend",
    trainer="kcore_tf.trainer:make_trainer",
    plugin_api="1.0",
)
