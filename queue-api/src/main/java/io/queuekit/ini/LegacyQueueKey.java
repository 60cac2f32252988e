package io.queuekit.ini;

import io.queuekit.Setting;

/**
 * Keys of {@code [queue]} and {@code [queue.NAME]} that Gitea's queue rewrite (1.20, PR #24505)
 * dropped without a word. They have no effect; queuekit warns, naming the successor where one
 * exists.
 */
enum LegacyQueueKey {
  WRAP_IF_NECESSARY(null, "wrapped queues are gone"),
  MAX_ATTEMPTS(Setting.MAX_DELIVERIES,
      "to dead-letter an item after n failed deliveries, set MAX_DELIVERIES = n"),
  TIMEOUT(null, "wrapped queues are gone"),
  WORKERS(Setting.MAX_WORKERS, "workers now start on demand up to MAX_WORKERS"),
  BLOCK_TIMEOUT(null, "workers now start on demand up to MAX_WORKERS"),
  BOOST_TIMEOUT(null, "workers now start on demand up to MAX_WORKERS"),
  BOOST_WORKERS(null, "workers now start on demand up to MAX_WORKERS");

  final Setting successor;
  final String advice;

  LegacyQueueKey(Setting successor, String advice) {
    this.successor = successor;
    this.advice = advice;
  }

  static LegacyQueueKey byKey(String key) {
    for (LegacyQueueKey k : values()) {
      if (k.name().equals(key)) {
        return k;
      }
    }
    return null;
  }
}
