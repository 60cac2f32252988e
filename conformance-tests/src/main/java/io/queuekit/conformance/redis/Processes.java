package io.queuekit.conformance.redis;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every server process the fixtures start, killed by a shutdown hook if a test JVM exits without
 * stopping them, so no stray redis-server outlives its tests.
 */
final class Processes {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Process p : LIVE) {
        p.destroyForcibly();
      }
    }, "queuekit-redis-fixture-reaper"));
  }

  private Processes() {}

  static void register(Process p) {
    LIVE.removeIf(x -> !x.isAlive());
    LIVE.add(p);
  }

  /** A short pause while polling a server's start-up (a fixture, not a test outcome). */
  static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a Redis fixture", e);
    }
  }
}
