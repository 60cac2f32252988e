package io.queuekit.channel;

import java.util.Arrays;

/**
 * A unique queue's identity digest (SHA-256), compared by content (arrays compare by reference).
 *
 * <p><b>Thread-safety:</b> immutable.
 */
final class Identity {
  private final byte[] digest;
  private final int hash;

  Identity(byte[] digest) {
    this.digest = digest;
    this.hash = Arrays.hashCode(digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Identity && Arrays.equals(digest, ((Identity) o).digest);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
