package io.queuekit.conformance;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts how often each item was seen by a handler. Thread-safe. */
final class Seen {
  private final Map<Integer, AtomicInteger> counts = new ConcurrentHashMap<>();

  void add(int i) {
    counts.computeIfAbsent(i, k -> new AtomicInteger()).incrementAndGet();
  }

  int of(int i) {
    AtomicInteger c = counts.get(i);
    return c == null ? 0 : c.get();
  }

  int total() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }
}
