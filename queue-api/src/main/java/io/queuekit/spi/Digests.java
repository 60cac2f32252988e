package io.queuekit.spi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of an item's identity: what unique sets hold instead of the identity bytes. */
public final class Digests {
  private Digests() {}

  /** The 32-byte SHA-256 digest of {@code identity}. */
  public static byte[] sha256(byte[] identity) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(identity);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
