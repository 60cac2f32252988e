package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.crash.ConsumerChild;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three consumer JVMs share one unique queue while this JVM pushes 50,000 items; one consumer is
 * killed with SIGKILL part-way. Every item must be handled at least once, none lost, duplicates
 * within the crash bound, and the store invariants must hold at every check (every 100 ms)
 * throughout: {@code ready + delayed == unique members}, and the first-pushed counts add up to
 * the waiting items, with one {@code T:firsts} member per counted millisecond.
 */
class MultiProcessTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final int ITEMS = 50_000;
  private static final String INVARIANT = "local w = redis.call('LLEN', KEYS[1]) "
      + "+ redis.call('ZCARD', KEYS[2]) local u = redis.call('HLEN', KEYS[3]) "
      + "local n = 0 for _, c in ipairs(redis.call('HVALS', KEYS[5])) do n = n + tonumber(c) end "
      + "local ms = redis.call('ZCARD', KEYS[4]) local counted = redis.call('HLEN', KEYS[5]) "
      + "if w == u and n == w and ms == counted then return 0 end "
      + "return {'waiting', w, 'unique', u, 'first-pushed counts', n, 'ms', ms, counted}";

  @TempDir Path dir;

  @Test
  void threeConsumersOneKilledNothingLost() throws Exception {
    String name = Queues.uniqueName("multi");
    String tag = "{" + name + "_queue}";
    List<ChildJvm> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicLong checks = new AtomicLong();
    ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor();
    try (Queues queues = new Queues(redis.server().connStr());
        Resp inspector = redis.server().client()) {
      RedisQueue producer = queues.open(name, true);
      for (int i = 0; i < 3; i++) {
        Path out = dir.resolve("child" + i + ".txt");
        outputs.add(out);
        children.add(startChild(name, out));
      }
      checker.scheduleAtFixedRate(() -> {
        Object r = inspector.call("EVAL", INVARIANT, "5", tag + ":ready", tag + ":delayed",
            tag + "_unique", tag + ":firsts", tag + ":firstn");
        checks.incrementAndGet();
        if (!Long.valueOf(0).equals(r)) {
          violations.add(String.valueOf(r));
        }
      }, 0, 100, TimeUnit.MILLISECONDS);

      Map<Integer, Integer> seen = ConsumerChild.pushKillingTheFirst(producer, children, outputs,
          ITEMS, Duration.ofSeconds(120));
      checker.shutdown();
      checker.awaitTermination(10, TimeUnit.SECONDS);

      assertThat(seen).hasSize(ITEMS);
      for (int i = 0; i < ITEMS; i++) {
        assertThat(seen).containsKey(i);
      }
      long duplicates = seen.values().stream().mapToLong(c -> c - 1).sum();
      // docs/DESIGN.md §7: duplicates ≤ kills × BATCH_LENGTH × (MAX_WORKERS + 1)
      assertThat(duplicates).isLessThanOrEqualTo(1 * 20 * (2 + 1));
      assertThat(checks.get()).isGreaterThan(10);
      assertThat(violations).isEmpty();
      assertThat(producer.stats().dead()).isZero();
      // the killed consumer was reaped by a live one: only the two survivors are registered
      await().atMost(Duration.ofSeconds(30))
          .until(() -> inspector.integer("HLEN", tag + ":consumers") == 2);
    } finally {
      checker.shutdownNow();
      for (ChildJvm c : children) {
        c.process().getOutputStream().close(); // the survivors stop when their stdin closes
      }
      for (ChildJvm c : children) {
        c.process().waitFor(15, TimeUnit.SECONDS);
        c.close(); // kills what did not stop
      }
    }
  }

  /** A consumer child (the shared launcher), once it reports its queue runs. */
  private static ChildJvm startChild(String queue, Path out) {
    ChildJvm child = ChildJvm.start(ConsumerChild.class, List.of("-Xmx256m"),
        List.of("redis", redis.server().connStr(), queue, out.toString()));
    try {
      child.awaitLine("READY", Duration.ofSeconds(60));
    } catch (AssertionError | RuntimeException e) {
      child.close();
      throw e;
    }
    return child;
  }
}
