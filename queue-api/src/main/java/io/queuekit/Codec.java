package io.queuekit;

/**
 * Turns items into the bytes a queue stores, and back. On a unique queue without a {@code
 * uniqueKey}, the bytes are the item's identity, so an encoder must be deterministic: equal items,
 * equal bytes.
 *
 * <p><b>Thread-safety:</b> implementations must be safe for concurrent use.
 *
 * @param <T> the item type
 */
public interface Codec<T> {

  /** The item's bytes. */
  byte[] encode(T item);

  /**
   * The item these bytes encode.
   *
   * @throws Exception any failure; the stored item is then dead-lettered with this message
   */
  T decode(byte[] bytes) throws Exception;

  /** The default codec: deterministic JSON ({@link JacksonCodec}). */
  static <T> Codec<T> json(Class<T> type) {
    return JacksonCodec.of(type);
  }
}
