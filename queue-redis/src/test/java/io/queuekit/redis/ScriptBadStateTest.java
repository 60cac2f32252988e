package io.queuekit.redis;

import static io.queuekit.redis.Queues.claimAll;
import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.queuekit.PushResult;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.CapturedErr;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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

  @RegisterExtension
  final Queues queues = Queues.on(redis);
  private final Resp admin = queues.admin();


  /** A role's key: the in-flight hash is the consumer's, the unique set follows Gitea's name. */
  private static String keyOf(String name, String role, RedisQueue q) {
    return switch (role) {
      case "inflight" -> key(name, "inflight:" + q.consumerId());
      case "unique" -> "{" + name + "_queue}_unique";
      default -> key(name, role);
    };
  }

  /**
   * What the scripts keep of a queue, key by key ({@code DUMP}, so type and content): the keys
   * the consumers' beats touch (heartbeats, registrations, wake tokens) are left out, since a
   * beat may run between two looks.
   */
  private Map<String, String> data(String name, RedisQueue q) {
    Map<String, String> out = new TreeMap<>();
    for (String role : List.of("ready", "delayed", "unique", "meta", "room", "dead", "firsts",
        "firstn", "leases", "inflight")) {
      out.put(role, String.valueOf(admin.call("DUMP", keyOf(name, role, q))));
    }
    return out;
  }

  /** The steps the tests below run, each given one held delivery (and a dead letter). */
  private static final Map<String, BiConsumer<RedisQueue, Delivery>> STEPS = Map.of(
      "claim", (q, held) -> q.claim(10, Duration.ZERO),
      "delayed push", (q, held) -> q.push(item("later"), Duration.ofMinutes(1),
          Duration.ofSeconds(5)),
      "delayed release", (q, held) -> q.release(held, Duration.ofMinutes(1)),
      "ack", (q, held) -> q.ack(List.of(held)),
      "release", (q, held) -> q.release(held, Duration.ZERO),
      "dead-letter", (q, held) -> q.deadLetter(held, "given up"),
      "unclaim", (q, held) -> q.unclaim(List.of(held)),
      "removeAll", (q, held) -> q.removeAll(),
      "replay", (q, held) -> q.replayAllDead(),
      "purge", (q, held) -> q.purgeAllDead());

  /**
   * Plants a string another program SET at {@code role}'s key (the real key kept aside, or
   * absent, as wake and room may be), checks that {@code step} is refused naming the queue and
   * the key with every other key unchanged, then puts the real key back.
   */
  private void assertRefusedOverAWrongType(String name, String role, RedisQueue q,
      ThrowingCallable step) {
    String k = keyOf(name, role, q);
    boolean existed = admin.integer("EXISTS", k) == 1;
    if (existed) {
      admin.call("RENAME", k, k + ":aside");
    }
    admin.call("SET", k, "another program's value");
    Map<String, String> before = data(name, q);
    before.remove(role);

    assertThatThrownBy(step)
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining(k);
    Map<String, String> after = data(name, q);
    after.remove(role);
    assertThat(after).as("nothing written").isEqualTo(before);

    admin.call("DEL", k);
    if (existed) {
      admin.call("RENAME", k + ":aside", k);
    }
  }

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

    assertThatThrownBy(() -> STEPS.get(step).accept(q, held.get(0)))
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

  /**
   * Each step against each key it writes or reads holding another type (a string another program
   * SET): refused before its first write, naming the key, with every other key unchanged; with
   * the key put back every item is still there. (The claim's and the
   * push's keys are {@link ScriptFaultsTest}'s, the lease key's {@code GlobalCapTest}'s.)
   */
  @ParameterizedTest
  @ValueSource(strings = {"ack/ready", "ack/delayed", "ack/meta", "ack/room", "ack/inflight",
      "release/ready", "release/delayed", "release/unique", "release/meta", "release/wake",
      "release/consumers", "release/dead", "release/inflight", "release/firsts",
      "release/firstn", "dead-letter/meta", "dead-letter/dead", "dead-letter/inflight",
      "unclaim/ready", "unclaim/unique", "unclaim/meta", "unclaim/wake", "unclaim/consumers",
      "unclaim/dead", "unclaim/inflight", "unclaim/firsts", "unclaim/firstn",
      "removeAll/ready", "removeAll/delayed", "removeAll/meta", "removeAll/room",
      "replay/ready", "replay/unique", "replay/meta", "replay/wake", "replay/consumers",
      "replay/dead", "replay/firsts", "replay/firstn", "purge/dead"})
  void aKeyOfTheWrongTypeStopsAStepBeforeItsFirstWrite(String stepAndRole) {
    String step = stepAndRole.substring(0, stepAndRole.indexOf('/'));
    String role = stepAndRole.substring(step.length() + 1);
    String name = Queues.uniqueName("wrong" + step.replace("-", "") + role);
    RedisQueue q = queues.open(name, true);
    q.push(item("dead"), Duration.ofSeconds(5));
    assertThat(q.deadLetter(q.claim(1, Duration.ofSeconds(5)).get(0), "planted"))
        .isEqualTo(Outcome.DONE);
    for (String s : List.of("a", "b", "c")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    Delivery held = q.claim(1, Duration.ofSeconds(5)).get(0);
    if (step.equals("ack") && !role.equals("meta") && !role.equals("inflight")) {
      // an ack writes room()'s keys only for a producer waiting for room: one is
      admin.call("HSET", keyOf(name, "meta", q), "full", "1");
    }
    assertRefusedOverAWrongType(name, role, q, () -> STEPS.get(step).accept(q, held));
    STEPS.get(step).accept(q, held); // with the key put back: through, or stale at the client
    StoreStats after2 = q.stats();
    assertThat(List.of(after2.ready() + after2.delayed(), after2.inFlight(), after2.dead()))
        .as("waiting, in flight, dead after %s", step).isEqualTo(AFTER.get(step));
  }

  /**
   * A key an ack does not write in this run is not checked: with no producer waiting for room,
   * room()'s keys holding another type do not stop it, and keep another program's value.
   */
  @Test
  void anAckChecksOnlyTheKeysItWrites() {
    String name = Queues.uniqueName("ackunwritten");
    RedisQueue q = queues.open(name, false);
    for (String s : List.of("a", "b")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    Delivery held = q.claim(1, Duration.ofSeconds(5)).get(0);
    List<String> unwritten = List.of(keyOf(name, "delayed", q), keyOf(name, "room", q));
    for (String k : unwritten) {
      admin.call("DEL", k);
      admin.call("SET", k, "another program's value");
    }
    assertThat(q.ack(List.of(held))).containsExactly(Outcome.DONE);
    for (String k : unwritten) {
      assertThat(admin.call("GET", k)).as(k).isEqualTo("another program's value");
    }
    assertThat(admin.integer("EXISTS", keyOf(name, "inflight", q))).as("settled").isZero();
  }

  /**
   * Waiting, in flight and dead after each step's second run, from 2 waiting, 1 held, 1 dead. A
   * settle whose call failed let its delivery go (the second run is stale at the client), so the
   * entry stays in flight for the consumer's sweep to hand back, as the seq test above waits for.
   */
  private static final Map<String, List<Long>> AFTER = Map.of(
      "ack", List.of(2L, 1L, 1L),
      "release", List.of(2L, 1L, 1L),
      "dead-letter", List.of(2L, 1L, 1L),
      "unclaim", List.of(2L, 1L, 1L),
      "removeAll", List.of(0L, 1L, 1L),
      "replay", List.of(3L, 1L, 0L),
      "purge", List.of(2L, 1L, 0L));

  /**
   * The recovery of a dead consumer (its own close, or the reaper) against each key it guards
   * holding another type: refused before its first write, naming the key, the dead consumer's
   * items still in its in-flight hash; with the key put back, the next consumer to open the queue
   * reaps it and every item is delivered.
   */
  @ParameterizedTest
  @ValueSource(strings = {"ready", "unique", "meta", "wake", "consumers", "dead", "inflight",
      "firsts", "firstn", "busy"})
  void aKeyOfTheWrongTypeStopsARecoveryBeforeItsFirstWrite(String role) {
    String name = Queues.uniqueName("wrongrecover" + role);
    RedisQueue dying = queues.open(name, true);
    for (String s : List.of("a", "b")) {
      dying.push(item(s), Duration.ofSeconds(5));
    }
    assertThat(dying.claim(10, Duration.ofSeconds(5))).hasSize(2);
    assertRefusedOverAWrongType(name, role, dying, dying::crashAndReap);
    String inflight = keyOf(name, "inflight", dying);
    assertThat(InFlight.count(admin, inflight)).as("the dead consumer's items").isEqualTo(2);
    RedisQueue next = queues.open(name, true);
    assertThat(claimAll(next)).containsExactlyInAnyOrder("a", "b");
    assertThat(admin.integer("EXISTS", inflight)).isZero();
  }

  /**
   * A registration against a consumer registry of another type: refused before its first write
   * (here: meta, deleted as a FLUSHALL would, which the registration records the layout version
   * and flavour in), naming the key; with the key put back the consumer registers and claims.
   */
  @Test
  void aRegistryOfTheWrongTypeStopsARegistrationBeforeItsFirstWrite() {
    String name = Queues.uniqueName("wrongregister");
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    admin.call("DEL", key(name, "meta"));
    admin.call("SET", key(name, "consumers"), "another program's value");

    assertThatThrownBy(() -> q.claim(1, Duration.ZERO))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining(key(name, "consumers"))
        .hasMessageContaining("consumers hash");
    assertThat(admin.integer("EXISTS", key(name, "meta"))).as("nothing written").isZero();
    assertThat(admin.call("GET", key(name, "consumers"))).isEqualTo("another program's value");

    admin.call("DEL", key(name, "consumers"));
    assertThat(claimAll(q)).containsExactly("a");
    assertThat(admin.call("HGET", key(name, "meta"), "version"))
          .isEqualTo(Integer.toString(RedisLayout.LAYOUT_VERSION));
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

  /**
   * A first-pushed count Redis does not read as an integer (leading zeros: HINCRBY refuses "05")
   * counts as 0 when a claim counts it down, as incr() takes it: the claim that takes the last
   * item of that ms drops the ms, and nothing is reported waiting once every item is claimed.
   * firstsplan() reads "05" as 5 (its pattern allows leading zeros), so the claim writes 4 and
   * keeps the ms: an oldest waiting item is reported for an empty queue.
   */
  @ParameterizedTest
  @ValueSource(strings = {"05", "007"})
  void aFirstPushedCountWithLeadingZerosCountsAsZeroAsIncrTakesIt(String value) {
    String name = Queues.uniqueName("zerofirstn");
    RedisQueue q = queues.open(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    List<String> ms = admin.strings("HKEYS", key(name, "firstn"));
    assertThat(ms).hasSize(1);
    admin.call("HSET", key(name, "firstn"), ms.get(0), value);
    // Redis itself does not take it for an integer (so incr() would have set it to -1)
    assertThatThrownBy(() -> admin.call("HINCRBY", key(name, "firstn"), ms.get(0), "0"))
        .hasMessageContaining("not an integer");

    assertThat(claimAll(q)).containsExactly("a");
    assertThat(admin.call("HGET", key(name, "firstn"), ms.get(0))).as("the count, dropped")
        .isNull();
    assertThat(admin.call("ZSCORE", key(name, "firsts"), ms.get(0))).as("the ms, dropped")
        .isNull();
    assertThat(q.stats().oldestWaiting()).as("nothing waits").isEmpty();
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
  void aMalformedRoomWatcherCountDoesNotStopTheWatcher() throws Exception {
    String name = Queues.uniqueName("badwatcher");
    QueueSettings s = queues.settings().length(1).build();
    RedisQueue producer = queues.open(name, false, s);
    producer.push(item("a"), Duration.ofSeconds(5));
    admin.call("HSET", key(name, "meta"), "roomwatchers", "many");
    try (CapturedErr err = CapturedErr.start()) {
      CompletableFuture<PushResult> waiting =
          CompletableFuture.supplyAsync(() -> producer.push(item("b"), Duration.ofSeconds(30)));
      // the watcher cannot count itself, yet blocks on the room list for the waiting producer
      // (a watcher that gave up and restarted at once would spin, never reaching its BLPOP)
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(10)).until(() ->
          String.valueOf(admin.call("CLIENT", "LIST")).contains("cmd=blpop"));
      RedisQueue consumer = queues.open(name, false, s);
      List<Delivery> got = consumer.claim(1, Duration.ofSeconds(5));
      assertThat(payloads(got)).containsExactly("a");
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(PushResult.ADDED);
      assertThat(consumer.ack(got)).containsOnly(Outcome.DONE);
      assertThat(err.text()).contains("WARN")
          .contains("queue \"" + name + "\": the room watcher's count").contains(key(name, "meta"));
      assertThat(err.count("the room watcher's count")).as("warned once").isEqualTo(1);
    }
  }

  @Test
  void aRoomListOfTheWrongTypeIsWarnedOnceAndRetriedOnOneConnection() throws Exception {
    String name = Queues.uniqueName("wrongroom");
    QueueSettings s = queues.settings().length(1).build();
    RedisQueue producer = queues.open(name, false, s);
    producer.push(item("a"), Duration.ofSeconds(5));
    admin.call("SET", key(name, "room"), "another program's string");
    try (CapturedErr err = CapturedErr.start()) {
      long connectionsBefore = info(admin, "stats", "total_connections_received");
      long failedBefore = blpopFailures();
      CompletableFuture<PushResult> waiting =
          CompletableFuture.supplyAsync(() -> producer.push(item("b"), Duration.ofSeconds(30)));
      // the watcher's BLPOP is refused again and again; it tries on the same connection
      await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(20))
          .until(() -> blpopFailures() >= failedBefore + 3);
      assertThat(info(admin, "stats", "total_connections_received") - connectionsBefore)
          .as("connections opened while the BLPOP was refused").isLessThanOrEqualTo(1);
      admin.call("DEL", key(name, "room")); // put right: the watcher goes on by itself
      RedisQueue consumer = queues.open(name, false, s);
      List<Delivery> got = consumer.claim(1, Duration.ofSeconds(5));
      assertThat(payloads(got)).containsExactly("a");
      assertThat(consumer.ack(got)).containsOnly(Outcome.DONE);
      assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(PushResult.ADDED);
      assertThat(err.text()).contains("WARN").contains("queue \"" + name + "\": the room watch")
          .contains(key(name, "room")).contains("WRONGTYPE");
      assertThat(err.count("the room watch (")).as("warned once").isEqualTo(1);
    }
  }

  /** A field of one INFO section, as a number. */
  /** The number {@code INFO section} answers for {@code field}, which must be there. */
  static long info(Resp admin, String section, String field) {
    String text = String.valueOf(admin.call("INFO", section));
    return text.lines().filter(l -> l.startsWith(field + ":"))
        .mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).trim())).findFirst()
        .orElseThrow(() -> new AssertionError(field + " not in INFO " + section + ": " + text));
  }

  private long blpopFailures() {
    String text = String.valueOf(admin.call("INFO", "commandstats"));
    return text.lines().filter(l -> l.startsWith("cmdstat_blpop:")).findFirst()
        .map(l -> java.util.regex.Pattern.compile("failed_calls=(\\d+)").matcher(l))
        .filter(java.util.regex.Matcher::find).map(m -> Long.parseLong(m.group(1))).orElse(0L);
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
  void aForeignDelayedMemberIsDeadLetteredWithAllItsBytes() {
    String name = Queues.uniqueName("baddelayed");
    RedisQueue q = queues.open(name, false);
    String foreign = "someone else's member, not a waiting id";
    admin.call("ZADD", key(name, "delayed"), Long.toString(queues.clock.millis() - 1), foreign);
    q.push(item("a"), Duration.ofSeconds(5));
    assertThat(claimAll(q)).containsExactly("a");
    assertThat(q.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo(foreign);
      assertThat(d.reason()).contains("malformed entry");
    });
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

  /**
   * A capped queue's ack or dead-letter frees its claim's lease and wakes a waiter: it reads the
   * tokens pending before its first write instead of checking the wake list's type, so a wake key
   * holding another type still stops it there, named, with the item still in flight and its lease
   * held.
   */
  @ParameterizedTest
  @ValueSource(strings = {"ack", "dead-letter"})
  void aCappedSettleStopsBeforeItsFirstWriteOverAWakeKeyOfTheWrongType(String step) {
    String name = Queues.uniqueName("capwake" + step.replace("-", ""));
    RedisQueue q = queues.open(name, false, queues.settings().globalMaxWorkers(1).build());
    q.push(item("a"), Duration.ofSeconds(5));
    Delivery held = q.claim(1, Duration.ofSeconds(5)).get(0);
    assertRefusedOverAWrongType(name, "wake", q, () -> STEPS.get(step).accept(q, held));
    assertThat(admin.integer("HLEN", keyOf(name, "inflight", q))).isEqualTo(1);
    assertThat(admin.integer("ZCARD", key(name, "leases"))).isEqualTo(1);
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
