package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.internal.Digests;
import io.queuekit.level.LayoutV1.Entry1;
import io.queuekit.level.LayoutV1.ItemRecord;
import io.queuekit.level.LayoutV1.State1;
import io.queuekit.level.Records.DeadRecord;
import io.queuekit.level.Records.Entry;
import io.queuekit.level.Records.Meta;
import io.queuekit.level.Records.State;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import io.queuekit.QueueSettings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Layout version 1, written record by record with the raw store as queuekit 0.1 left it, opens as
 * version 2: every item, its state, counts and first-pushed time survive, also when the migration
 * is cut short (a crash between its write rounds) and opening has to finish it.
 */
class LevelMigrationTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final String NAME = "mig";

  @RegisterExtension final Fixture f = new Fixture();
  final Keys keys = new Keys("mig_queue");
  Instant t0;

  @BeforeEach
  void setUp() throws java.io.IOException {
    t0 = f.clock.instant();
    java.nio.file.Files.createDirectories(f.commonDir());
  }

  UnaryOperator<QueueSettings.Builder> settings(Engine engine) {
    return b -> b.length(10_000).connStr("leveldb://queues/common?engine=" + engine.option());
  }

  LevelQueue open(Engine engine, boolean unique) {
    return f.openLevel(NAME, unique, settings(engine));
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  long at(int seconds) {
    return Records.nanos(t0.minusSeconds(1000 - seconds));
  }

  // ------------------------------------------------------------ a version-1 unique queue

  /** What the version-1 writer below stores; checked after the migration. */
  static final int READY = 40;
  static final long NEXT_SEQ = 5_000;

  /**
   * A unique queue as version 1 stored it: 40 ready items (ids 100.., positions -3..36, every
   * fifth with counts), 2 delayed, 3 in flight, 1 dead letter, an item record no entry names, an
   * entry whose item record is missing, and a ghost member.
   */
  void writeV1Unique(Engine engine) {
    try (RawDb raw = RawDb.open(f.commonDir(), engine)) {
      raw.db.put(keys.meta(), new Meta(1, true).encode());
      raw.db.put(keys.state(), new State1(-3, READY - 3, NEXT_SEQ, 3).encode());
      for (int i = 0; i < READY; i++) {
        long id = 100 + i;
        byte[] digest = Digests.sha256(bytes("r" + i));
        raw.db.put(keys.item(id), new ItemRecord(at(i), digest, bytes("r" + i)).encode());
        raw.db.put(keys.ready(i - 3), new Entry1(id, i % 5 == 0 ? 2 : 0, i % 5 == 0 ? 1 : 0,
            digest).encode());
        byte[] loc = new byte[9];
        loc[0] = Keys.READY;
        Keys.putSortable(loc, 1, i - 3);
        raw.db.put(keys.unique(digest), loc);
      }
      for (int i = 0; i < 2; i++) {
        long id = 200 + i;
        byte[] digest = Digests.sha256(bytes("d" + i));
        long due = Records.nanos(t0.plusSeconds(60 + i));
        raw.db.put(keys.item(id), new ItemRecord(at(100 + i), digest, bytes("d" + i)).encode());
        raw.db.put(keys.delayed(due, 300 + i), new Entry1(id, 1, 0, digest).encode());
        byte[] loc = new byte[17];
        loc[0] = Keys.DELAYED;
        Keys.putSortable(loc, 1, due);
        Keys.putSortable(loc, 9, 300 + i);
        raw.db.put(keys.unique(digest), loc);
      }
      for (int i = 0; i < 3; i++) {
        long id = 400 + i;
        byte[] digest = Digests.sha256(bytes("f" + i));
        raw.db.put(keys.item(id), new ItemRecord(at(200 + i), digest, bytes("f" + i)).encode());
        raw.db.put(keys.flight(4000 + i), new Entry1(id, 3, 0, digest).encode());
      }
      raw.db.put(keys.dead(4500), new DeadRecord(5, 0, at(300), at(301),
          Digests.sha256(bytes("x")), "too many", bytes("x")).encode());
      // An item record no entry names: version 1 put it back at the tail.
      raw.db.put(keys.item(600), new ItemRecord(at(400), Digests.sha256(bytes("orphan")),
          bytes("orphan")).encode());
      // An entry whose item record is missing: version 1 deleted it (and its member).
      byte[] lostDigest = Digests.sha256(bytes("lost"));
      raw.db.put(keys.ready(READY - 3), new Entry1(700, 0, 0, lostDigest).encode());
      byte[] loc = new byte[9];
      loc[0] = Keys.READY;
      Keys.putSortable(loc, 1, READY - 3);
      raw.db.put(keys.unique(lostDigest), loc);
    }
  }

  /** Everything {@link #writeV1Unique} stored, as the migrated queue must show it. */
  void checkUnique(Engine engine, boolean lostReportedEarlier) {
    try (LevelQueue q = open(engine, true)) {
      assertThat(q.repairs()).anySatisfy(r -> assertThat(r).contains("item #600")
          .contains("put back at the tail"));
      if (!lostReportedEarlier) {
        assertThat(q.repairs()).anySatisfy(r -> assertThat(r).contains("item #700")
            .contains("record is missing"));
      }
      // 3 recovered + 40 ready + the orphan; 2 delayed; the lost entry is gone.
      assertThat(q.stats().ready()).isEqualTo(3 + READY + 1);
      assertThat(q.stats().delayed()).isEqualTo(2);
      assertThat(q.stats().inFlight()).isZero();
      assertThat(q.stats().dead()).isEqualTo(1);
      assertThat(q.stats().deadDropped()).isEqualTo(3);
      assertThat(q.stats().oldestWaiting()).contains(Records.instant(at(0)));
      for (int i = 0; i < READY; i++) {
        assertThat(q.has(bytes("r" + i))).as("r%d", i).isTrue();
      }
      assertThat(q.has(bytes("d0"))).isTrue();
      assertThat(q.has(bytes("orphan"))).isTrue();
      assertThat(q.has(bytes("lost"))).isFalse();
      assertThat(q.push(item("r7"), LONG)).isEqualTo(PushResult.DUPLICATE);
      assertThat(q.push(item("lost"), LONG)).isEqualTo(PushResult.ADDED);

      List<Delivery> all = Fixture.claimUpTo(q, 100);
      List<String> expected = new ArrayList<>(List.of("f0", "f1", "f2"));
      for (int i = 0; i < READY; i++) {
        expected.add("r" + i);
      }
      expected.add("orphan");
      expected.add("lost");
      assertThat(all.stream().map(d -> str(d.payload()))).containsExactlyElementsOf(expected);
      for (int i = 0; i < 3; i++) {
        Delivery d = all.get(i);
        assertThat(d.deliveryCount()).isEqualTo(3);
        assertThat(d.recoveryCount()).isEqualTo(1); // in flight at the "crash": recovered
        assertThat(d.firstPushed()).isEqualTo(Records.instant(at(200 + i)));
      }
      for (int i = 0; i < READY; i++) {
        Delivery d = all.get(3 + i);
        assertThat(d.deliveryCount()).as("r%d", i).isEqualTo(i % 5 == 0 ? 2 : 0);
        assertThat(d.recoveryCount()).as("r%d", i).isEqualTo(i % 5 == 0 ? 1 : 0);
        assertThat(d.firstPushed()).as("r%d", i).isEqualTo(Records.instant(at(i)));
      }
      assertThat(all.get(3 + READY).firstPushed()).isEqualTo(Records.instant(at(400)));
      // No number is used twice: delivery ids go on above version 1's sequence.
      assertThat(all).allSatisfy(d -> assertThat(d.id()).isGreaterThanOrEqualTo(NEXT_SEQ));
      assertThat(q.ack(all)).hasSize(all.size());

      f.clock.advance(Duration.ofSeconds(61));
      List<Delivery> delayed = Fixture.claimUpTo(q, 10);
      assertThat(delayed.stream().map(d -> str(d.payload()))).containsExactly("d0", "d1");
      assertThat(delayed).allSatisfy(d -> assertThat(d.deliveryCount()).isEqualTo(1));
      assertThat(delayed.get(1).firstPushed()).isEqualTo(Records.instant(at(101)));

      List<DeadLetter> dead = q.listDead(0, 10);
      assertThat(dead).singleElement().satisfies(dl -> {
        assertThat(str(dl.payload())).isEqualTo("x");
        assertThat(dl.deliveryCount()).isEqualTo(5);
        assertThat(dl.reason()).isEqualTo("too many");
      });
      assertThat(q.len()).isZero();
    }
    try (RawDb raw = RawDb.open(f.commonDir(), engine)) {
      assertThat(raw.keysOf(keys, Keys.ITEM)).isEmpty();
      assertThat(Meta.decode(raw.db.get(keys.meta()))).isEqualTo(new Meta(2, true));
      assertThat(State.decode(raw.db.get(keys.state())).deadDropped()).isEqualTo(3);
      // The two delayed items are in flight now, each one record holding its payload.
      assertThat(raw.keysOf(keys, Keys.FLIGHT)).hasSize(2).allSatisfy(k ->
          assertThat(str(Entry.payloadOf(raw.db.get(k)))).startsWith("d"));
    }
    try (LevelQueue q = open(engine, true)) {
      assertThat(q.repairs()).isEmpty(); // migrated once; a clean version-2 queue now
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aVersionOneUniqueQueueOpensWithEveryItemStateAndCount(Engine engine) {
    writeV1Unique(engine);
    checkUnique(engine, false);
  }

  /** A crash after {@code rounds} write rounds of {@code chunk} entries; opening finishes. */
  @ParameterizedTest
  @CsvSource({"1, 7", "4, 7", "2, 25", "1, 1000"})
  void aMigrationCutShortIsFinishedByTheNextOpenWithoutLossOrDuplicates(int rounds, int chunk) {
    writeV1Unique(Engine.JNI);
    List<String> repairs = migratePartly(true, chunk, rounds);
    boolean finished = rounds * chunk >= 3 + 2 + READY + 1;
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      Meta meta = Meta.decode(raw.db.get(keys.meta()));
      if (!finished) {
        // Stopped between rounds: marked version 2 (a version-1 reader refuses it) with the last
        // key it migrated.
        assertThat(meta.version()).isEqualTo(2);
        assertThat(meta.migrated()).isNotNull();
        assertThat(raw.keysOf(keys, Keys.ITEM)).isNotEmpty();
      } else {
        // All entries migrated; only the orphan's record is left for the load.
        assertThat(meta).isEqualTo(new Meta(2, true));
        assertThat(raw.keysOf(keys, Keys.ITEM)).hasSize(1);
        assertThat(repairs).anySatisfy(r -> assertThat(r).contains("item #700"));
      }
    }
    checkUnique(Engine.JNI, finished);
  }

  private List<String> migratePartly(boolean unique, int chunk, int rounds) {
    BaseQueueConfig c = f.config(NAME, unique, settings(Engine.JNI));
    LevelDb db = LevelDbs.acquire(LevelLocation.of(c), c.name());
    try {
      QueueState s = new QueueState(c.name(), c.queueFullName(), unique, c.settings(), c.clock(),
          db, snapshot -> { }, io.queuekit.spi.StoreEvents.NONE);
      Meta meta = Meta.decode(db.raw().get(keys.meta()));
      return LayoutV1.migrate(db, s, meta, chunk, rounds);
    } finally {
      LevelDbs.release(db);
    }
  }

  // ------------------------------------------------------------ a large simple queue

  @Test
  void aLargeSimpleQueueMigratesInBoundedRoundsAndKeepsItsOrder() {
    int n = 1_300; // three rounds of 512
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      raw.db.put(keys.meta(), new Meta(1, false).encode());
      raw.db.put(keys.state(), new State1(0, n, n, 0).encode());
      for (int i = 0; i < n; i++) {
        raw.db.put(keys.item(i), new ItemRecord(at(0) + i, null, bytes("s" + i)).encode());
        raw.db.put(keys.ready(i), new Entry1(i, i % 3, 0, null).encode());
      }
    }
    long roundsBefore;
    try (LevelQueue q = open(Engine.JNI, false)) {
      roundsBefore = q.db().rounds();
      assertThat(q.repairs()).isEmpty();
      assertThat(q.len()).isEqualTo(n);
      Instant oldest = q.stats().oldestWaiting().orElseThrow();
      assertThat(oldest).isBeforeOrEqualTo(Records.instant(at(0)));
      List<Delivery> all = new ArrayList<>();
      while (all.size() < n) {
        List<Delivery> got = Fixture.claimUpTo(q, 500);
        assertThat(got).isNotEmpty();
        all.addAll(got);
      }
      for (int i = 0; i < n; i++) {
        Delivery d = all.get(i);
        assertThat(str(d.payload())).isEqualTo("s" + i);
        assertThat(d.deliveryCount()).isEqualTo(i % 3);
        assertThat(d.firstPushed()).isEqualTo(Records.instant(at(0) + i));
      }
      assertThat(q.claim(1, Duration.ZERO)).isEmpty();
    }
    // Three migration rounds and the load's: never one batch for the whole queue.
    assertThat(roundsBefore).isEqualTo(4);
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(raw.keysOf(keys, Keys.ITEM)).isEmpty();
      assertThat(raw.keysOf(keys, Keys.FLIGHT)).hasSize(n);
    }
  }

  /** A real process killed with SIGKILL in the middle of a migration, then the queue opened. */
  @Test
  void aProcessKilledMidMigrationLosesAndDuplicatesNothing() {
    int n = 20_000; // 2,000 rounds of 10: the kill lands well inside the migration
    Path dir = f.dataPath.resolve("killed");
    Keys k = new Keys("mig_queue");
    try (RawDb raw = RawDb.open(createDirectories(dir), Engine.JNI)) {
      raw.db.put(k.meta(), new Meta(1, false).encode());
      raw.db.put(k.state(), new State1(0, n, n, 0).encode());
      for (int i = 0; i < n; i++) {
        raw.db.put(k.item(i), new ItemRecord(at(0) + i, null, bytes("k" + i)).encode());
        raw.db.put(k.ready(i), new Entry1(i, i % 4, i % 3, null).encode());
      }
    }
    try (ChildJvm child = ChildJvm.start(LevelChildMain.class, "migrate", dir.toString(), "10")) {
      child.awaitLine("ROUND 300", LONG);
      child.kill();
    }
    try (RawDb raw = RawDb.open(dir, Engine.JNI)) {
      Meta meta = Meta.decode(raw.db.get(k.meta()));
      assertThat(meta.migrated()).as("killed mid-migration").isNotNull();
      assertThat(raw.keysOf(k, Keys.ITEM).size()).isBetween(1, n - 300 * 10);
    }
    try (LevelQueue q = f.openLevel(NAME, false, b -> b.length(n)
        .connStr("leveldb://" + dir + "?engine=jni"))) {
      assertThat(q.repairs()).isEmpty();
      assertThat(q.len()).isEqualTo(n);
      List<Delivery> all = new ArrayList<>();
      while (all.size() < n) {
        List<Delivery> got = Fixture.claimUpTo(q, 1000);
        assertThat(got).isNotEmpty();
        all.addAll(got);
      }
      assertThat(q.claim(1, Duration.ZERO)).isEmpty();
      for (int i = 0; i < n; i++) {
        Delivery d = all.get(i);
        assertThat(str(d.payload())).isEqualTo("k" + i);
        assertThat(d.deliveryCount()).isEqualTo(i % 4);
        assertThat(d.recoveryCount()).isEqualTo(i % 3);
        assertThat(d.firstPushed()).isEqualTo(Records.instant(at(0) + i));
      }
    }
  }

  private static Path createDirectories(Path dir) {
    try {
      return java.nio.file.Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aQueueWithItemRecordsButNoMetaRecordIsTakenAsVersionOne() {
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      raw.db.put(keys.state(), new State1(0, 1, 10, 0).encode());
      raw.db.put(keys.item(1), new ItemRecord(at(5), null, bytes("kept")).encode());
      raw.db.put(keys.ready(0), new Entry1(1, 4, 0, null).encode());
    }
    try (LevelQueue q = open(Engine.JNI, false)) {
      assertThat(q.repairs()).singleElement().satisfies(r -> assertThat(r)
          .contains("meta record was missing"));
      Delivery d = q.claim(1, Duration.ZERO).get(0);
      assertThat(str(d.payload())).isEqualTo("kept");
      assertThat(d.deliveryCount()).isEqualTo(4);
      assertThat(d.firstPushed()).isEqualTo(Records.instant(at(5)));
    }
  }
}
