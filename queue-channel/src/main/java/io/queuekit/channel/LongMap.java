package io.queuekit.channel;

import java.util.Arrays;

/**
 * A map from positive {@code long} keys to values, for the in-flight items of a {@link
 * ChannelQueue} by delivery id: open addressing with linear probing, so a put or remove boxes no
 * key and allocates no node (a {@code HashMap<Long, ?>} allocates both per item, and the channel
 * queue claims and acks every item once).
 *
 * <p>Layout: parallel arrays {@code keys} and {@code values} of a power-of-two capacity, at most
 * half full; key 0 marks a free slot (delivery ids start at 1). Removal shifts the following
 * entries of the probe run back (Knuth's algorithm R), so there are no tombstones and lookups stay
 * short however many keys come and go. Grows by doubling; never shrinks, as {@code HashMap}.
 *
 * <p>Why not a library's primitive map (Agrona's {@code Long2ObjectHashMap}, fastutil): docs/DESIGN.md §2
 * gives queue-channel no dependency but queue-api, and the five operations the queue needs fit in
 * this one small class; the property test beside it checks it step by step against {@code HashMap}.
 *
 * <p><b>Thread-safety:</b> none; the channel queue calls it under its lock. <b>Ordering:</b> none.
 * <b>Durability:</b> heap only.
 */
final class LongMap<V> {
  private static final int MIN_CAPACITY = 16;

  private long[] keys = new long[MIN_CAPACITY];
  private Object[] values = new Object[MIN_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  /**
   * Maps {@code key} to {@code value}, replacing any earlier value.
   *
   * @throws IllegalArgumentException if {@code key} is not positive, or {@code value} is null
   */
  void put(long key, V value) {
    if (key <= 0) {
      throw new IllegalArgumentException("LongMap keys must be positive, was " + key);
    }
    if (value == null) {
      throw new IllegalArgumentException("LongMap values must not be null (key " + key + ")");
    }
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (keys[i] == 0) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
    }
  }

  /** Removes {@code key}'s mapping; returns its value, or null if there was none. */
  @SuppressWarnings("unchecked")
  V remove(long key) {
    if (key <= 0) {
      return null;
    }
    int mask = keys.length - 1;
    int i = slot(key, mask);
    while (keys[i] != key) {
      if (keys[i] == 0) {
        return null;
      }
      i = (i + 1) & mask;
    }
    V old = (V) values[i];
    // Backward shift: move later entries of the run into the hole if their home allows it.
    int hole = i;
    for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      // j's entry may fill the hole unless its home lies cyclically in (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole] = 0;
    values[hole] = null;
    size--;
    return old;
  }

  void clear() {
    Arrays.fill(keys, 0);
    Arrays.fill(values, null);
    size = 0;
  }

  @SuppressWarnings("unchecked")
  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        put(oldKeys[i], (V) oldValues[i]);
      }
    }
  }

  /** Fibonacci hashing: sequential ids spread over the whole table. */
  private static int slot(long key, int mask) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
  }
}
