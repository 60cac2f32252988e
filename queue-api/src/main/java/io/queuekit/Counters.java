package io.queuekit;

import java.util.concurrent.atomic.LongAdder;

/** This process's counts for one queue, as {@link QueueStats} reports them. Thread-safe. */
final class Counters {
  final LongAdder handled = new LongAdder();
  final LongAdder unhandled = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder recovered = new LongAdder();
  final LongAdder merged = new LongAdder();
  final LongAdder stale = new LongAdder();
}
