package io.queuekit.spi;

import java.util.Objects;

/**
 * One item as a backend stores it: the payload bytes the codec wrote, and the identity bytes a
 * unique queue compares. Without a {@code uniqueKey} the identity is the payload itself.
 *
 * <p>Backends never keep the identity itself, only its SHA-256 digest ({@code io.queuekit.internal.Digests}).
 * Arrays are not copied; callers must not change them after handing them over.
 */
public record Item(byte[] payload, byte[] identity) {
  public Item {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(identity, "identity");
  }

  /** An item whose identity is its payload. */
  public static Item of(byte[] payload) {
    return new Item(payload, payload);
  }
}
