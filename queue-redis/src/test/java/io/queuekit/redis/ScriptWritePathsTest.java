package io.queuekit.redis;

import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.RedisQueueTest.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueException;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
import io.queuekit.spi.Delivery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scripts check only the keys a run writes, most of them by the reads the run makes anyway
 * (prelude.lua's {@code checked()}), so each write path needs its own proof that a key of another
 * type stops it before its first write. Each case plants another program's string at one key and
 * compares a {@code DUMP} of every key before and after the refused step:
 *
 * <ul>
 *   <li>{@code part}: an ack of part of a claim of entries (the in-flight hash is read first, to
 *       explode the claim);
 *   <li>{@code pack}: an ack of a whole claim of a pack (its reference is read first, then the
 *       pack deleted);
 *   <li>{@code packpart}: an ack of part of a claim of a pack (explodes the claim and deletes the
 *       pack);
 *   <li>{@code promote}: a claim that promotes due items, writing before it knows its batch, with
 *       a malformed entry to bury and a producer waiting for room (every key a claim may write);
 *   <li>{@code tx}: a push of several items in one transaction, whose first command writes before
 *       the bookkeeping script checks anything (the script takes the entries back out).
 * </ul>
 */
class ScriptWritePathsTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  @RegisterExtension
  final Queues queues = Queues.on(redis);
  private final Resp admin = queues.admin();

  @ParameterizedTest
  @ValueSource(strings = {"part/inflight", "pack/inflight", "pack/packs", "packpart/packs",
      "packpart/inflight", "promote/dead", "promote/inflight", "promote/firstn", "promote/busy",
      "promote/room", "promote/wake", "tx/packs", "tx/ready", "tx/meta"})
  void aKeyOfAnotherTypeStopsEachWritePathBeforeItsFirstWrite(String pathAndRole) {
    String path = pathAndRole.substring(0, pathAndRole.indexOf('/'));
    String role = pathAndRole.substring(path.length() + 1);
    String name = Queues.uniqueName("writepath" + path + role);
    RedisQueue q = queues.open(name, false);
    Runnable step;
    if (path.equals("promote")) {
      q.claim(1, Duration.ZERO); // a registered waiter: the claim wakes it for what it leaves
      q.push(item("x"), Duration.ofMillis(10), Duration.ofSeconds(5));
      q.push(item("y"), Duration.ofMillis(10), Duration.ofSeconds(5));
      admin.call("HSET", key(name, "meta"), "full", "1");
      admin.call("RPUSH", key(name, "ready"), "no header");
      queues.clock.advance(Duration.ofSeconds(1));
      step = () -> q.claim(1, Duration.ZERO);
    } else if (path.equals("tx")) {
      q.claim(1, Duration.ZERO);
      q.push(item("a"), Duration.ofSeconds(5));
      step = () -> q.pushAll(List.of(item("b"), item("c"), item("d")), Duration.ofSeconds(1));
    } else {
      q.pushAll(List.of(item("a"), item("b"), item("c")), Duration.ofSeconds(5));
      List<Delivery> got = q.claim(path.equals("part") ? 2 : 3, Duration.ZERO);
      step = path.equals("pack") ? () -> q.ack(got) : () -> q.ack(List.of(got.get(0)));
    }
    String k = key(name, role.equals("inflight") ? "inflight:" + q.consumerId() : role);
    if (admin.integer("EXISTS", k) == 1) {
      admin.call("RENAME", k, k + ":aside");
    }
    admin.call("SET", k, "another program's value");
    Map<String, String> before = dump(name, q);

    assertThatThrownBy(step::run).isInstanceOf(QueueException.class).hasMessageContaining(k);
    assertThat(dump(name, q)).as("every key unchanged").isEqualTo(before);
  }

  private Map<String, String> dump(String name, RedisQueue q) {
    Map<String, String> out = new TreeMap<>();
    for (String role : List.of("ready", "delayed", "meta", "room", "dead", "firsts", "firstn",
        "leases", "packs", "wake", "busy", "inflight:" + q.consumerId())) {
      out.put(role, String.valueOf(admin.call("DUMP", key(name, role))));
    }
    return out;
  }
}
