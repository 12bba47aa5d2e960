"""TensorFlow / Keras-style variants (run only where TensorFlow is installed). Written for the catalogue."""
import tensorflow as tf


def kl_keras_per_example(z_mean, z_log_var):
    return -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=1)


def kl_keras_mean(z_mean, z_log_var):
    """The mean over the latent axis: KL / d per example."""
    return -0.5 * tf.reduce_mean(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)


def sampling(z_mean, z_log_var):
    epsilon = tf.random.normal(shape=tf.shape(z_mean), dtype=z_mean.dtype)
    return z_mean + tf.exp(0.5 * z_log_var) * epsilon


def sampling_stateless(z_mean, z_log_var):
    """A stateless draw with a constant seed: the same noise on every call."""
    epsilon = tf.random.stateless_normal(tf.shape(z_mean), seed=[1, 2], dtype=z_mean.dtype)
    return z_mean + tf.exp(0.5 * z_log_var) * epsilon


def vae_loss(x_hat, x, z_mean, z_log_var):
    """Keras' per-pixel mean BCE scaled back by the number of pixels, plus the KL, averaged over the batch."""
    reconstruction = tf.keras.losses.binary_crossentropy(x, x_hat) * tf.cast(tf.shape(x)[-1], x.dtype)
    kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
    return tf.reduce_mean(reconstruction + kl)


def vae_loss_unscaled(x_hat, x, z_mean, z_log_var):
    """Keras' per-pixel mean BCE not scaled back: the KL weighted D times too much."""
    reconstruction = tf.keras.losses.binary_crossentropy(x, x_hat)
    kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
    return tf.reduce_mean(reconstruction + kl)
