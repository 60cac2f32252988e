package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.internal.Digests;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The open-time check: what a crash in Gitea's levelqueue (or a manual edit) leaves is repaired,
 * reported, and never loses an item record.
 */
class LevelRepairTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final byte[] UNRELATED = "unrelated-key".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension final Fixture f = new Fixture();
  final Keys keys = new Keys("q_queue");

  RawDb raw() {
    return RawDb.open(f.commonDir(), Engine.JNI);
  }

  LevelQueue open(boolean unique) {
    return f.openLevel("q", unique, b -> b.length(100));
  }

  static List<String> payloads(List<Delivery> ds) {
    return ds.stream().map(d -> str(d.payload())).collect(Collectors.toList());
  }

  @Test
  void aCleanQueueNeedsNoRepair() {
    try (LevelQueue q = open(true)) {
      for (int i = 0; i < 20; i++) {
        q.push(item("i" + i), LONG);
      }
      q.push(item("later"), Duration.ofMinutes(1), LONG);
      List<Delivery> ds = q.claim(6, Duration.ZERO);
      q.ack(ds.subList(0, 2));
      q.release(ds.get(2), Duration.ZERO);
      q.release(ds.get(3), Duration.ofSeconds(5));
      q.unclaim(ds.subList(4, 5));
      q.deadLetter(ds.get(5), "bad");
      q.push(item("i0"), LONG);
    }
    try (LevelQueue q = open(true)) {
      assertThat(q.repairs()).isEmpty();
      assertThat(q.len()).isEqualTo(19); // 21 pushed, 6 claimed, 3 back, i0 again
      assertThat(q.stats().dead()).isEqualTo(1);
    }
  }

  @Test
  void giteasCorruptedLevelQueueDeletedItemWithCountersSayingItExists() {
    // TestCorruptedLevelQueue: an unrelated key, one unique item, then its item key deleted (in
    // layout 2 the entry is the item; LevelMigrationTest covers layout 1's item records).
    try (LevelQueue q = open(true)) {
      q.push(item("victim"), LONG);
    }
    try (RawDb raw = raw()) {
      raw.db.put(UNRELATED, new byte[] {1});
      List<byte[]> items = raw.keysOf(keys, Keys.READY);
      assertThat(RawDb.tags(keys, raw.keysOf(keys))).isEqualTo("MRSU");
      raw.db.delete(items.get(0));
    }
    try (LevelQueue q = open(true)) {
      assertThat(q.repairs()).singleElement().satisfies(r -> assertThat(r).contains("ghost"));
      assertThat(q.len()).isZero();
      assertThat(q.has("victim".getBytes())).isFalse();
      assertThat(q.claim(1, Duration.ZERO)).isEmpty(); // not wedged: len and claim agree
      assertThat(q.push(item("victim"), LONG)).isEqualTo(PushResult.ADDED);
      assertThat(payloads(q.claim(1, Duration.ZERO))).containsExactly("victim");
    }
    try (RawDb raw = raw()) {
      assertThat(raw.db.get(UNRELATED)).containsExactly(1);
    }
  }

  @Test
  void aUniqueMemberWithoutAnItemIsRemoved() {
    try (LevelQueue q = open(true)) {
      q.push(item("real"), LONG);
    }
    try (RawDb raw = raw()) {
      byte[] loc = new byte[9];
      loc[0] = Keys.READY;
      Keys.putSortable(loc, 1, 12345);
      raw.db.put(keys.unique(Digests.sha256("ghost".getBytes())), loc);
    }
    try (LevelQueue q = open(true)) {
      assertThat(q.repairs()).singleElement().satisfies(r -> assertThat(r)
          .contains("had no waiting item").contains("already in queue"));
      assertThat(q.has("ghost".getBytes())).isFalse();
      assertThat(q.push(item("ghost"), LONG)).isEqualTo(PushResult.ADDED);
      assertThat(q.has("real".getBytes())).isTrue();
    }
  }

  @Test
  void aWaitingItemWithoutItsMemberGetsItBack() {
    try (LevelQueue q = open(true)) {
      q.push(item("m"), LONG);
    }
    try (RawDb raw = raw()) {
      raw.db.delete(keys.unique(Digests.sha256("m".getBytes())));
    }
    try (LevelQueue q = open(true)) {
      assertThat(q.repairs()).singleElement().satisfies(r -> assertThat(r)
          .contains("had no unique member; added"));
      assertThat(q.push(item("m"), LONG)).isEqualTo(PushResult.DUPLICATE);
    }
  }

  @Test
  void aGapInTheReadyPositionsIsRenumbered() {
    try (LevelQueue q = open(false)) {
      for (String s : List.of("a", "b", "c")) {
        q.push(item(s), LONG);
      }
    }
    try (RawDb raw = raw()) {
      raw.db.delete(keys.ready(1)); // b, deleted by hand: positions 0 and 2 are left
    }
    try (LevelQueue q = open(false)) {
      assertThat(q.repairs()).singleElement().satisfies(r -> assertThat(r).contains("renumbered"));
      assertThat(q.len()).isEqualTo(2);
      q.push(item("d"), LONG);
      assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("a", "c", "d");
    }
  }

  @Test
  void aLostStateRecordIsRebuiltAndNoIdIsUsedTwice() {
    long lastId;
    try (LevelQueue q = open(false)) {
      q.push(item("a"), LONG);
      q.push(item("b"), LONG);
      Delivery d = q.claim(1, Duration.ZERO).get(0);
      q.unclaim(List.of(d)); // head went below zero
      lastId = d.id();
    }
    try (RawDb raw = raw()) {
      raw.db.delete(keys.state());
    }
    try (LevelQueue q = open(false)) {
      assertThat(q.repairs()).anySatisfy(r -> assertThat(r).contains("state record"))
          .anySatisfy(r -> assertThat(r).contains("no id is used twice"));
      List<Delivery> ds = q.claim(10, Duration.ZERO);
      assertThat(payloads(ds)).containsExactly("a", "b");
      assertThat(ds).allSatisfy(d -> assertThat(d.id()).isGreaterThan(lastId));
    }
  }

  @Test
  void malformedValuesAndStrayEntriesAreDeletedAndReported() {
    try (LevelQueue q = open(false)) {
      q.push(item("ok"), LONG);
    }
    try (RawDb raw = raw()) {
      raw.db.put(keys.ready(7), new byte[] {1, 2, 3}); // not an entry
      // A copy of ok's entry in flight: two entries name one item.
      raw.db.put(keys.flight(99), raw.db.get(keys.ready(0)));
    }
    try (LevelQueue q = open(false)) {
      long id = 0; // ok was the queue's first number
      assertThat(q.repairs()).anySatisfy(r -> assertThat(r).contains("malformed"))
          .anySatisfy(r -> assertThat(r).contains("item #" + id)
              .contains("another entry already names"));
      assertThat(payloads(q.claim(10, Duration.ZERO))).containsExactly("ok");
      assertThat(q.stats().inFlight()).isEqualTo(1);
    }
    try (RawDb raw = raw()) {
      assertThat(raw.db.get(keys.ready(7))).isNull();
      assertThat(raw.db.get(keys.flight(99))).isNull();
    }
  }
}
