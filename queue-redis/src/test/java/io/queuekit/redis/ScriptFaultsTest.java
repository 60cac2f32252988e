package io.queuekit.redis;

import static io.queuekit.redis.Queues.claimAll;
import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad state planted with raw commands (another program's RPUSH, another version's writer, a
 * key of the wrong type), then the scripts run: Redis keeps a script's writes when it fails
 * half-way, so each must check before its first write and treat a malformed entry as data.
 * Nothing valid may vanish.
 */
class ScriptFaultsTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @RegisterExtension
  final Queues queues = Queues.on(redis);
  private final Resp admin = queues.admin();
  private final List<DeadLetter> reported = new CopyOnWriteArrayList<>();
  private final StoreEvents events = new StoreEvents() {
    @Override
    public void deadLettered(DeadLetter dead) {
      reported.add(dead);
    }
  };


  private RedisQueue queue(String name, boolean unique) {
    return queues.open(name, unique, queues.settings().build(), queues.clock, events);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "no header at all", "x:y:z::payload", "1:2:abc::payload",
      "1:2:3:zz:payload", "1:2:3:abcd:payload", "99999999999999999999:0:0::payload", "7"})
  void aMalformedReadyEntryIsDeadLetteredAndNothingValidVanishes(String bad) {
    String name = Queues.uniqueName("badready");
    RedisQueue q = queue(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    admin.call("RPUSH", key(name, "ready"), bad);
    q.push(item("b"), Duration.ofSeconds(5));
    q.push(item("c"), Duration.ofSeconds(5));

    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(payloads(got)).containsExactly("a", "b", "c");
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);

    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo(bad);
    assertThat(dead.get(0).reason()).contains("malformed entry").contains(key(name, "ready"));
    assertThat(reported).hasSize(1);
    assertThat(reported.get(0).id()).isEqualTo(dead.get(0).id());
    assertThat(q.stats().ready()).isZero();
    assertThat(q.stats().inFlight()).isZero();
  }

  @Test
  void aMalformedUniqueSetValueDoesNotStopAClaim() {
    String name = Queues.uniqueName("badunique");
    RedisQueue q = queue(name, true);
    q.push(item("a"), Duration.ofSeconds(5));
    q.push(item("b"), Duration.ofSeconds(5));
    List<Object> fields = castList(admin.call("HKEYS", "{" + name + "_queue}_unique"));
    for (Object f : fields) {
      String field = f instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(f);
      admin.call("HSET", "{" + name + "_queue}_unique", field, "garbage");
    }
    assertThat(claimAll(q)).containsExactly("a", "b");
    assertThat(q.listDead(0, 10)).isEmpty();
  }

  @Test
  void aMalformedInFlightEntryIsDeadLetteredOnReleaseAndTheRestSettle() {
    String name = Queues.uniqueName("badinflight");
    RedisQueue q = queue(name, false);
    for (String s : List.of("a", "b", "c")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(got).hasSize(3);
    String inflight = key(name, "inflight:" + q.consumerId());
    InFlight.explode(admin, inflight);
    admin.call("HSET", inflight, Long.toString(got.get(1).id()), "junk");

    assertThat(q.release(got.get(1), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(got.get(0), got.get(2)))).containsOnly(Outcome.DONE);
    assertThat(claimAll(q)).containsExactly("a", "c");
    assertThat(q.listDead(0, 10)).singleElement()
        .satisfies(d -> assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("junk"));
    assertThat(reported).hasSize(1);
  }

  @Test
  void theReaperDeadLettersAMalformedInFlightEntryAndRecoversTheRest() {
    String name = Queues.uniqueName("badreap");
    RedisQueue dying = queue(name, false);
    for (String s : List.of("a", "b")) {
      dying.push(item(s), Duration.ofSeconds(5));
    }
    assertThat(dying.claim(10, Duration.ofSeconds(5))).hasSize(2);
    admin.call("HSET", key(name, "inflight:" + dying.consumerId()), "not-a-delivery-id", "junk");
    dying.crashAndReap();

    RedisQueue survivor = queue(name, false);
    assertThat(claimAll(survivor)).containsExactly("a", "b");
    assertThat(survivor.listDead(0, 10)).singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("malformed entry"));
    assertThat(reported).isNotEmpty();
  }

  /**
   * The dead set is at its cap and its oldest member is another program's bytes: the dead letter
   * a script makes drops that member. Dropping it must not stop the script after its first write
   * (the reaper had already taken the dead consumer's in-flight hash: its valid items vanished).
   */
  @Test
  void aMalformedDeadMemberDroppedAtTheCapLosesNothingValid() {
    String name = Queues.uniqueName("baddeadcap");
    QueueSettings capped = queues.settings().deadLetterLength(1).build();
    RedisQueue dying = queues.open(name, false, capped, queues.clock, events);
    for (String s : List.of("a", "b")) {
      dying.push(item(s), Duration.ofSeconds(5));
    }
    assertThat(dying.claim(10, Duration.ofSeconds(5))).hasSize(2);
    admin.call("ZADD", key(name, "dead"), "0", "stray member");
    admin.call("HSET", key(name, "inflight:" + dying.consumerId()), "not-a-delivery-id", "junk");
    dying.crashAndReap();

    RedisQueue survivor = queues.open(name, false, capped, queues.clock, events);
    assertThat(claimAll(survivor)).containsExactly("a", "b");
    assertThat(survivor.listDead(0, 10)).singleElement().satisfies(d -> {
      assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo("junk");
      assertThat(d.reason()).contains("malformed entry");
    });
  }

  /** A stray dead-set member is listed as what it is, beside the real ones, and purged by id. */
  @Test
  void aMalformedDeadMemberIsListedAsSuchAndPurgedById() {
    String name = Queues.uniqueName("baddeadlist");
    RedisQueue q = queue(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    Delivery d = q.claim(1, Duration.ofSeconds(5)).get(0);
    assertThat(q.deadLetter(d, "bad")).isEqualTo(Outcome.DONE);
    admin.call("ZADD", key(name, "dead"), "0", "stray member");

    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).reason()).isEqualTo("bad");
    assertThat(dead.get(1).id()).isZero();
    assertThat(dead.get(1).reason()).startsWith("malformed dead letter");
    assertThat(new String(dead.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("stray member");
    assertThat(q.replayAllDead()).as("replay leaves the stray member").isEqualTo(1);
    assertThat(q.purgeDead(List.of(0L))).isEqualTo(1);
    assertThat(q.listDead(0, 10)).isEmpty();
    assertThat(claimAll(q)).containsExactly("a");
  }

  /**
   * A claim against each key it writes holding another type, in a run that writes it: refused,
   * naming the key, with the ready list untouched. The dead set is written when the claim meets a
   * malformed entry, the wake list when it leaves items for other waiters, the room list when a
   * producer waits for room.
   */
  @ParameterizedTest
  @ValueSource(strings = {"meta", "inflight", "dead", "wake", "room", "firstn", "firsts", "unique",
      "busy"})
  void aKeyOfTheWrongTypeStopsAClaimBeforeItChangesAnything(String role) {
    String name = Queues.uniqueName("wrongtype" + role);
    RedisQueue q = queue(name, role.equals("unique"));
    assertThat(q.claim(1, Duration.ZERO)).isEmpty(); // registers the consumer
    for (String s : List.of("a", "b", "c")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    if (role.equals("dead")) {
      admin.call("LPUSH", key(name, "ready"), "no header");
    } else if (role.equals("room")) {
      admin.call("HSET", key(name, "meta"), "full", "1");
    }
    long ready = admin.integer("LLEN", key(name, "ready"));
    String k = switch (role) {
      case "inflight" -> key(name, "inflight:" + q.consumerId());
      case "unique" -> "{" + name + "_queue}_unique";
      default -> key(name, role);
    };
    admin.call("DEL", k);
    admin.call("SET", k, "another program's value");

    // one of three leaves two ready: the claim wakes a waiter for them
    int max = role.equals("wake") ? 1 : 10;
    assertThatThrownBy(() -> q.claim(max, Duration.ZERO))
        .isInstanceOf(QueueException.class).hasMessageContaining(name).hasMessageContaining(k);
    assertThat(admin.integer("LLEN", key(name, "ready"))).as("the ready list is untouched")
        .isEqualTo(ready);

    admin.call("DEL", k);
    assertThat(claimAll(q)).containsExactly("a", "b", "c");
  }

  /**
   * A key that a claim does not write in this run is not checked: with nothing malformed to bury,
   * no producer waiting for room and the whole list taken, a dead set, room list and wake list of
   * another type do not stop it, and keep another program's value.
   */
  @Test
  void aClaimChecksOnlyTheKeysItWrites() {
    String name = Queues.uniqueName("wrongtypeunwritten");
    RedisQueue q = queue(name, false);
    assertThat(q.claim(1, Duration.ZERO)).isEmpty(); // registers the consumer
    for (String s : List.of("a", "b")) {
      q.push(item(s), Duration.ofSeconds(5));
    }
    List<String> unwritten = List.of(key(name, "dead"), key(name, "room"), key(name, "wake"));
    for (String k : unwritten) {
      admin.call("DEL", k);
      admin.call("SET", k, "another program's value");
    }
    List<Delivery> got = q.claim(10, Duration.ZERO);
    assertThat(payloads(got)).containsExactly("a", "b");
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    for (String k : unwritten) {
      assertThat(admin.call("GET", k)).as(k).isEqualTo("another program's value");
    }
  }

  /**
   * A push against each key it writes holding another type: refused, naming the key, with nothing
   * half-pushed. One item runs push.lua; several ready items go as one transaction
   * (PushTransaction), whose RPUSH has written when the script finds the key, so the script takes
   * the entries back out before it stops.
   */
  @ParameterizedTest
  @ValueSource(strings = {"firstn/one", "firsts/one", "wake/one", "consumers/one",
      "firstn/several", "firsts/several", "wake/several", "consumers/several", "meta/several",
      "delayed/several"})
  void aKeyOfTheWrongTypeStopsAPushBeforeItChangesAnything(String roleAndPush) {
    String role = roleAndPush.substring(0, roleAndPush.indexOf('/'));
    boolean several = roleAndPush.endsWith("/several");
    String name = Queues.uniqueName("pushwrongtype" + role + (several ? "tx" : ""));
    RedisQueue q = queue(name, false);
    assertThat(q.claim(1, Duration.ZERO)).isEmpty(); // a registered waiter: pushes add wake tokens
    q.push(item("a"), Duration.ofSeconds(5));
    String k = key(name, role);
    admin.call("DEL", k);
    admin.call("SET", k, "another program's value");

    assertThatThrownBy(() -> {
      if (several) {
        q.pushAll(List.of(item("b"), item("c"), item("d")), Duration.ofSeconds(1));
      } else {
        q.push(item("b"), Duration.ofSeconds(1));
      }
    }).isInstanceOf(QueueException.class).hasMessageContaining(k);
    assertThat(admin.integer("LLEN", key(name, "ready"))).as("nothing half-pushed").isEqualTo(1);
    admin.call("DEL", k);
    assertThat(claimAll(q)).containsExactly("a");
  }

  /**
   * A unique-set value with a count beyond what an entry's header holds (9 digits; the client
   * reads ints) counts as 0:0, as a malformed one does: the claim hands the entry out with its
   * own counts, never one nobody can read. Up to 9 digits the value's counts are taken.
   */
  @ParameterizedTest
  @ValueSource(strings = {"4294967296:0", "0:4294967296", "1000000000:0",
      "99999999999999999999:1", "999999999:0"})
  void aUniqueSetCountBeyondTheHeadersBoundCountsAsZero(String value) {
    String name = Queues.uniqueName("bigunique");
    RedisQueue q = queue(name, true);
    q.push(item("a"), Duration.ofSeconds(5));
    String unique = "{" + name + "_queue}_unique";
    List<Object> fields = castList(admin.call("HKEYS", unique));
    assertThat(fields).hasSize(1);
    Object f = fields.get(0);
    admin.call("HSET", unique, f instanceof byte[] b ? new String(b, StandardCharsets.UTF_8)
        : String.valueOf(f), value);

    List<Delivery> got = q.claim(10, Duration.ofSeconds(5));
    assertThat(payloads(got)).containsExactly("a");
    boolean taken = value.equals("999999999:0");
    assertThat(got.get(0).deliveryCount()).isEqualTo(taken ? 999999999 : 0);
    assertThat(got.get(0).recoveryCount()).isZero();
    assertThat(q.ack(got)).containsOnly(Outcome.DONE);
    assertThat(q.listDead(0, 10)).isEmpty();
    assertThat(reported).isEmpty();
    assertThat(q.stats().inFlight()).isZero();
  }

  /** What the queue keeps at each key of the open script, by its index there. */
  private static final Map<Integer, String> KEPT = Map.ofEntries(Map.entry(1, "ready list"),
      Map.entry(2, "delayed zset"), Map.entry(3, "items hash"), Map.entry(4, "unique hash"),
      Map.entry(5, "meta hash"), Map.entry(6, "wake list"), Map.entry(7, "room list"),
      Map.entry(8, "consumers hash"), Map.entry(9, "dead zset"), Map.entry(12, "pushed zset"),
      Map.entry(13, "firsts zset"), Map.entry(14, "firstn hash"), Map.entry(15, "busy set"),
      Map.entry(16, "leases zset"), Map.entry(17, "packs hash"),
      Map.entry(18, "migrating ready list"), Map.entry(19, "migrating delayed zset"),
      Map.entry(20, "migrating unique hash"));

  /** Every key index the open script checks (and so may report): all but a consumer's own. */
  static IntStream openKeyIndexes() {
    return IntStream.rangeClosed(1, Scripts.KEY_TYPES.size()).filter(i -> i != 10 && i != 11);
  }

  @Test
  void theOpenScriptsKeysAreTheOnesTheClientNames() {
    assertThat(Scripts.KEY_TYPES).hasSize(RedisKeys.NAMES.length + RedisKeys.MIGRATION_NAMES.length);
    assertThat(openKeyIndexes().boxed().toList()).containsExactlyInAnyOrderElementsOf(KEPT.keySet());
  }

  /**
   * Each key the open script checks holding another program's string: the open is refused with
   * the queue's exception naming the key, what the queue keeps there and its type, and writes
   * nothing.
   */
  @ParameterizedTest
  @MethodSource("openKeyIndexes")
  void aKeyOfTheWrongTypeAtOpenIsNamedWithTheTypeTheQueueKeepsThere(int index) {
    String name = Queues.uniqueName("openwrong" + index);
    String k = new RedisKeys(name, "", name + "_queue", name + "_queue_unique").name(index);
    assertThat(k).startsWith("{" + name + "_queue}");
    admin.call("SET", k, "another program's value");

    assertThatThrownBy(() -> queue(name, true))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"" + name + "\"")
        .hasMessageContaining("Redis key " + k + " at")
        .hasMessageContaining("holds a string where the queue keeps its " + KEPT.get(index) + ";");
    if (index != 5) {
      assertThat(admin.integer("EXISTS", key(name, "meta"))).as("nothing written").isZero();
    }
    admin.call("DEL", k);
    RedisQueue q = queue(name, true);
    q.push(item("a"), Duration.ofSeconds(5));
    assertThat(claimAll(q)).containsExactly("a");
  }

  /** A key of the wrong type a step meets later is named with the type it should hold too. */
  @Test
  void aBusySetOfTheWrongTypeIsNamedAsASet() {
    String name = Queues.uniqueName("busywrong");
    RedisQueue q = queue(name, false);
    q.push(item("a"), Duration.ofSeconds(5));
    admin.call("SET", key(name, "busy"), "another program's value");
    assertThatThrownBy(() -> q.claim(10, Duration.ZERO))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("Redis key " + key(name, "busy") + " at")
        .hasMessageContaining("holds a string where the queue keeps its busy set;");
    admin.call("DEL", key(name, "busy"));
    assertThat(claimAll(q)).containsExactly("a");
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(Object o) {
    return (List<Object>) o;
  }
}
