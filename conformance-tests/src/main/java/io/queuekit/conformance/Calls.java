package io.queuekit.conformance;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a test's handler was called with, in call order, and on which threads. Thread-safe. */
final class Calls {
  final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  /** Records one call; the whole batch is handled. */
  List<Integer> record(List<Integer> items) {
    batches.add(List.copyOf(items));
    threads.add(Thread.currentThread());
    return List.of();
  }
}
