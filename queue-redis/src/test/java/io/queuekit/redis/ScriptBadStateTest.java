package io.queuekit.redis;

import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad state in the queue's bookkeeping, planted with raw commands, then the scripts run (the
 * entries themselves, and keys of the wrong type, are {@link ScriptFaultsTest}'s). A value a
 * script needs and cannot repair stops it before its first write, with the key, field and value
 * named, and changes nothing; a bookkeeping counter it can repair does not fail the step that
 * meets it. Either way nothing valid vanishes.
 */
class ScriptBadStateTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private Queues queues;
  private Resp admin;

  @BeforeEach
  void open() {
    queues = new Queues(redis.server().connStr());
    admin = redis.server().client();
  }

  @AfterEach
  void close() {
    queues.close();
    admin.close();
  }

  private static String key(String name, String role) {
    return "{" + name + "_queue}:" + role;
  }

  private List<String> claimAll(RedisQueue q) {
    List<String> out = new ArrayList<>();
    for (List<Delivery> ds; !(ds = q.claim(100, Duration.ZERO)).isEmpty(); ) {
      out.addAll(payloads(ds));
      assertThat(q.ack(ds)).containsOnly(Outcome.DONE);
    }
    return out;
  }

  /**
   * What the scripts keep of a queue, key by key ({@code DUMP}, so type and content): the keys
   * the consumers' beats touch (heartbeats, registrations, wake tokens) are left out, since a
   * beat may run between two looks.
   */
  private Map<String, String> data(String name, RedisQueue q) {
    Map<String, String> out = new TreeMap<>();
    for (String role : List.of("ready", "delayed", "meta", "dead", "firsts", "firstn", "leases",
        "inflight:" + q.consumerId())) {
      out.put(role, String.valueOf(admin.call("DUMP", key(name, role))));
    }
    return out;
  }

  /** Steps that may draw a delivery or dead-letter id from meta's seq, given one held delivery. */
  private static final Map<String, BiConsumer<RedisQueue, Delivery>> DRAWS_IDS = Map.of(
      "claim", (q, held) -> q.claim(10, Duration.ZERO),
      "delayed push", (q, held) -> q.push(item("later"), Duration.ofMinutes(1),
          Duration.ofSeconds(5)),
      "delayed release", (q, held) -> q.release(held, Duration.ofMinutes(1)),
      "dead-letter", (q, held) -> q.deadLetter(held, "given up"),
      "unclaim", (q, held) -> q.unclaim(List.of(held)));

  @ParameterizedTest
  @ValueSource(strings = {"claim", "delayed push", "delayed release", "dead-letter", "unclaim"})
  void aMalformedIdSequenceStopsAStepBeforeItsFirstWrite(String step) {
    String name = Queues.uniqueName("badseq");
    RedisQueue q = queues.open(name, false);
    for (String s : List.of("a", "b", "c")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    List<Delivery> held = q.claim(1, Duration.ofSeconds(5));
    assertThat(payloads(held)).containsExactly("a");
    String seq = (String) admin.call("HGET", key(name, "meta"), "seq");
    assertThat(seq).isNotNull();
    admin.call("HSET", key(name, "meta"), "seq", "12x");
    Map<String, String> before = data(name, q);

    assertThatThrownBy(() -> DRAWS_IDS.get(step).accept(q, held.get(0)))
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining(key(name, "meta") + " field seq holds \"12x\"")
        .hasMessageContaining("nothing was changed");
    assertThat(data(name, q)).as("nothing written").isEqualTo(before);

    // an operator puts the sequence back: every item is still there. A settle that failed let
    // its delivery go (its ack is stale here), and the consumer's sweep hands that one back.
    admin.call("HSET", key(name, "meta"), "seq", seq);
    boolean acked = q.ack(held).get(0) == Outcome.DONE;
    List<String> rest = new ArrayList<>();
    await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(30))
        .until(() -> rest.addAll(claimAll(q)) && rest.size() == (acked ? 2 : 3));
    assertThat(rest).containsExactlyInAnyOrderElementsOf(
        acked ? List.of("b", "c") : List.of("a", "b", "c"));
    assertThat(q.listDead(0, 10)).isEmpty();
  }

  @Test
  void malformedFirstPushedCountsAreRepairedByTheStepsThatMeetThem() {
    String name = Queues.uniqueName("badfirstn");
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    queues.clock.advance(Duration.ofMillis(5));
    q.push(item("b"), Duration.ofSeconds(5));
    for (String ms : admin.strings("HKEYS", key(name, "firstn"))) {
      admin.call("HSET", key(name, "firstn"), ms, "junk");
    }
    // the claim counts them down (the push the next one up): both repair instead of failing
    // after their writes, which Redis would keep
    assertThat(claimAll(q)).containsExactly("a", "b");
    q.push(item("c"), Duration.ofSeconds(5));
    assertThat(q.stats().oldestWaiting()).contains(queues.clock.instant());
    admin.call("HSET", key(name, "firstn"), Long.toString(queues.clock.millis()), "junk");
    q.push(item("d"), Duration.ofSeconds(5));
    assertThat(claimAll(q)).containsExactly("c", "d");
    assertThat(q.stats().oldestWaiting()).isEmpty();
    assertThat(q.listDead(0, 10)).isEmpty();
  }

  @Test
  void aMalformedRoomWatcherCountDoesNotFailTheStepThatFreesRoom() {
    String name = Queues.uniqueName("badroom");
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    q.push(item("b"), Duration.ofSeconds(5));
    // a producer found the queue full; the watcher count is another program's bytes
    admin.call("HSET", key(name, "meta"), "full", "1", "roomwatchers", "many");
    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(payloads(got)).containsExactly("a", "b");
    assertThat(admin.call("HEXISTS", key(name, "meta"), "full")).isEqualTo(0L);
    assertThat(admin.integer("LLEN", key(name, "room"))).as("one room token").isEqualTo(1);
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
  }

  @Test
  void aMalformedDroppedCountIsRepairedAndStatsStillAnswer() {
    String name = Queues.uniqueName("baddropped");
    RedisQueue q = queues.open(name, false, queues.settings().deadLetterLength(1).build());
    admin.call("HSET", key(name, "meta"), "deaddropped", "lots");
    assertThat(q.stats().deadDropped()).isZero();
    q.push(item("a"), Duration.ofSeconds(5));
    q.push(item("b"), Duration.ofSeconds(5));
    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(q.deadLetter(got.get(0), "first")).isEqualTo(Outcome.DONE);
    // the cap drops "a" to bury "b": the count it adds to is repaired, not fatal
    assertThat(q.deadLetter(got.get(1), "second")).isEqualTo(Outcome.DONE);
    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("second");
    assertThat(q.stats().deadDropped()).isEqualTo(1);
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void aMalformedLeaseDoesNotHoldACapSlotForGood() {
    String name = Queues.uniqueName("badlease");
    QueueSettings capped = queues.settings().globalMaxWorkers(1).build();
    RedisQueue q = queues.open(name, false, capped);
    q.push(item("a"), Duration.ofSeconds(5));
    // another program's member, naming no consumer whose recovery would ever free it
    admin.call("ZADD", key(name, "leases"), "1", "not a lease");
    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(payloads(got)).containsExactly("a");
    assertThat(admin.strings("ZRANGE", key(name, "leases"), "0", "-1"))
        .singleElement().satisfies(m -> assertThat(m).endsWith(":" + q.consumerId()));
    assertThat(q.ack(got)).containsExactly(Outcome.DONE);
    assertThat(admin.integer("EXISTS", key(name, "leases"))).isZero();
  }

  @Test
  void aMalformedLayoutVersionIsRefusedAtOpenNamingItAndChangesNothing() {
    String name = Queues.uniqueName("badversion");
    admin.call("HSET", key(name, "meta"), "version", "2x");
    admin.call("RPUSH", key(name, "ready"), "0:0:1::kept");
    assertThatThrownBy(() -> queues.open(name, false))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining(key(name, "meta"))
        .hasMessageContaining("layout version \"2x\", which is not a number");
    assertThat(admin.strings("HGETALL", key(name, "meta")))
        .containsExactly("version", "2x");
    assertThat(admin.strings("LRANGE", key(name, "ready"), "0", "-1"))
        .containsExactly("0:0:1::kept");
  }

  /**
   * Layout 1 (waiting ids in the lists, entries in T:items) with another program's bytes in it: a
   * malformed entry, a delayed member that is no id, entries no list names under a field that is
   * no id. The migration moves every entry, the malformed one as it is (the claim dead-letters
   * it as data), instead of failing after its first writes.
   */
  @Test
  void layoutOneMigrationMovesMalformedEntriesAsData() {
    String name = Queues.uniqueName("badv1");
    String t = "{" + name + "_queue}";
    long t0 = queues.clock.millis();
    admin.call("HSET", t + ":meta", "version", "1", "flavour", "simple", "seq", "9");
    admin.call("HSET", t + ":items", String.format("%016d", 1), "0:0:" + t0 + "::x",
        String.format("%016d", 2), "garbage", "someone's", "0:0:" + t0 + "::d",
        "zz", "0:0:" + t0 + "::u", String.format("%016d", 7), "0:0:" + t0 + "::v");
    admin.call("RPUSH", t + ":ready", String.format("%016d", 1), String.format("%016d", 2));
    admin.call("ZADD", t + ":delayed", Long.toString(t0 + 1_000), "someone's");

    RedisQueue q = queues.open(name, false);
    queues.clock.advance(Duration.ofSeconds(1));
    assertThat(claimAll(q)).containsExactlyInAnyOrder("x", "d", "u", "v");
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("garbage");
      assertThat(d.reason()).contains("malformed entry");
    });
    assertThat(admin.integer("EXISTS", t + ":items")).isZero();
    assertThat(admin.call("HGET", t + ":meta", "migrating")).isNull();
  }
}
