package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GLOBAL_MAX_WORKERS=2} across three real JVMs ({@link CapChild}), each allowed three
 * workers: every item is handled, and the handlers' own count in Redis never saw more than two
 * batches at once, and did see two (a cap enforced as one would pass the first check only).
 * docs/DESIGN.md §3.12.
 */
class GlobalCapAcrossProcessesTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int ITEMS = 200;

  @Test
  void threeJvmsWithThreeWorkersEachRunAtMostTwoBatchesAtOnce() throws Exception {
    String name = Queues.uniqueName("capjvm");
    String prefix = "capjvm-test:" + name;
    List<ChildJvm> children = new ArrayList<>();
    try (Queues queues = new Queues(redis.server().connStr());
        Resp r = redis.server().client()) {
      for (int i = 0; i < 3; i++) {
        children.add(ChildJvm.start(CapChild.class, List.of("-Xmx128m"),
            List.of(redis.server().connStr(), name, prefix)));
      }
      for (ChildJvm c : children) {
        c.awaitLine("READY", WAIT);
      }
      RedisQueue producer = queues.open(name, false);
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < ITEMS; i++) {
        items.add(Item.of(Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
      }
      producer.pushAll(items, WAIT);
      await().pollDelay(Duration.ZERO).atMost(WAIT)
          .until(() -> r.integer("SCARD", prefix + ":handled") == ITEMS
              && producer.stats().inFlight() == 0);
      assertThat(producer.stats().ready()).isZero();
      assertThat(Long.parseLong(String.valueOf(r.call("GET", prefix + ":max"))))
          .as("most batches in handlers at once, across the three JVMs").isEqualTo(2);
      assertThat(r.integer("EXISTS", "{" + name + "_queue}:leases")).as("leases left").isZero();
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
  }
}
