package io.queuekit.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 digests: what a unique queue's set holds instead of an item's identity bytes, and the
 * short file names derived from a queue's storage name.
 *
 * <p><b>Thread-safety:</b> stateless (a new {@link MessageDigest} per call).
 */
public final class Digests {
  private Digests() {}

  /** The 32-byte SHA-256 digest of {@code bytes} (an item's identity, a storage name...). */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
