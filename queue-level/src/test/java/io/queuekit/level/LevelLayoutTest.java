package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.internal.Digests;
import io.queuekit.level.Records.Entry;
import io.queuekit.level.Records.Meta;
import io.queuekit.level.Records.State;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stored layout of {@link LevelQueue}'s javadoc, byte for byte, and the sharing of one DB. */
class LevelLayoutTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  @Test
  void keysAreLengthPrefixedNameThenTagThenSortableNumbers() {
    Keys k = new Keys("mail_queue");
    byte[] prefix = k.prefix();
    assertThat(prefix[0]).isZero();
    assertThat(prefix[1]).isEqualTo((byte) 10);
    assertThat(new String(prefix, 2, 10)).isEqualTo("mail_queue");
    byte[] ready = k.ready(-1);
    assertThat(ready).hasSize(12 + 1 + 8);
    assertThat(ready[12]).isEqualTo((byte) 'R');
    assertThat(Arrays.copyOfRange(ready, 13, 21))
        .containsExactly(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assertThat(k.firstNumber(k.delayed(5, 9))).isEqualTo(5);
    assertThat(k.secondNumber(k.delayed(5, 9))).isEqualTo(9);
  }

  /** Random pairs (edges included) from a seed printed on failure: 300 per run. */
  @Test
  void sortableNumbersOrderAsBytesDo() {
    long seed = new java.util.Random().nextLong();
    java.util.Random r = new java.util.Random(seed);
    long[] edges = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -1, 0, 1, Long.MAX_VALUE - 1, Long.MAX_VALUE};
    Keys k = new Keys("n");
    for (int i = 0; i < 300; i++) {
      long a = i < edges.length * edges.length ? edges[i / edges.length] : r.nextLong();
      long b = i < edges.length * edges.length ? edges[i % edges.length] : r.nextLong();
      assertThat(Integer.signum(Arrays.compareUnsigned(k.ready(a), k.ready(b))))
          .as("ready(%d) vs ready(%d) (seed %d)", a, b, seed)
          .isEqualTo(Integer.signum(Long.compare(a, b)));
    }
  }

  /** Random names up to 12 characters (any code point, empty included) from a printed seed. */
  @Test
  void noQueuesKeysArePrefixedByAnothersPrefix() {
    long seed = new java.util.Random().nextLong();
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < 300; i++) {
      String a = randomName(r);
      String b = i % 3 == 0 ? a + randomName(r) : randomName(r);
      if (a.equals(b)) {
        continue;
      }
      Keys ka = new Keys(a);
      Keys kb = new Keys(b);
      assertThat(ka.owns(kb.ready(0))).as("%s owns %s's key (seed %d)", a, b, seed).isFalse();
      assertThat(kb.owns(ka.meta())).as("%s owns %s's key (seed %d)", b, a, seed).isFalse();
    }
  }

  private static String randomName(java.util.Random r) {
    StringBuilder b = new StringBuilder();
    for (int n = r.nextInt(13); b.length() < n; ) {
      int cp = switch (r.nextInt(4)) {
        case 0 -> 'a' + r.nextInt(26);
        case 1 -> r.nextInt(0x80);          // control characters and NUL too
        case 2 -> 0x80 + r.nextInt(0x780);  // two-byte UTF-8
        default -> 0x1F600 + r.nextInt(64); // four-byte UTF-8
      };
      b.appendCodePoint(cp);
    }
    return b.length() > 12 ? b.substring(0, 12) : b.toString();
  }

  @Test
  void aUniqueQueueStoresExactlyTheDrawnRecords() {
    Keys keys = new Keys("mail_queue");
    try (BaseQueue q = f.open("mail", true)) {
      q.push(item("one"), LONG);
      q.push(item("two"), Duration.ofMinutes(1), LONG);
      q.push(item("three"), LONG);
      Delivery d = q.claim(1, Duration.ZERO).get(0);
      assertThat(str(d.payload())).isEqualTo("one");
    }
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      // One record per item: no item records beside the entries.
      assertThat(RawDb.tags(keys, raw.keysOf(keys))).isEqualTo("DFMRSUU");
      Meta meta = Meta.decode(raw.db.get(keys.meta()));
      assertThat(meta).isEqualTo(new Meta(2, true));
      assertThat(raw.keysOf(keys, Keys.READY)).singleElement()
          .satisfies(k -> assertThat(keys.firstNumber(k)).isEqualTo(1));
      byte[] stored = raw.db.get(keys.ready(1));
      Entry three = Entry.decode(stored);
      assertThat(stored).hasSize(Entry.HEADER + 32 + 5);
      assertThat(str(Entry.payloadOf(stored))).isEqualTo("three");
      assertThat(three.digest()).isEqualTo(Digests.sha256("three".getBytes()));
      assertThat(three.firstPushedNanos()).isEqualTo(Records.nanos(f.clock.instant()));
      assertThat(three.deliveries()).isZero();
      assertThat(three.recoveries()).isZero();
      // The in-flight entry is the ready entry's bytes, moved: payload and all.
      byte[] flight = raw.db.get(raw.keysOf(keys, Keys.FLIGHT).get(0));
      assertThat(str(Entry.payloadOf(flight))).isEqualTo("one");
      // The member of "three" names its ready position; "one" (in flight) has none.
      byte[] loc = raw.db.get(keys.unique(Digests.sha256("three".getBytes())));
      assertThat(loc[0]).isEqualTo(Keys.READY);
      assertThat(Keys.getSortable(loc, 1)).isEqualTo(1);
      assertThat(raw.db.get(keys.unique(Digests.sha256("one".getBytes())))).isNull();
      byte[] delayedKey = raw.keysOf(keys, Keys.DELAYED).get(0);
      assertThat(keys.firstNumber(delayedKey))
          .isEqualTo(Records.nanos(f.clock.instant().plus(Duration.ofMinutes(1))));
      assertThat(str(Entry.payloadOf(raw.db.get(delayedKey)))).isEqualTo("two");
      // One block of numbers reserved, written once, above every number used.
      State state = State.decode(raw.db.get(keys.state()));
      assertThat(state).isEqualTo(new State(QueueState.SEQUENCE_BLOCK, 0));
      assertThat(state.seqLimit()).isGreaterThan(keys.secondNumber(delayedKey));
    }
  }

  @Test
  void theReadyRangeMovesSoClaimsNeverSearchAndTheStateRecordOnlyChangesPerBlock() {
    Keys keys = new Keys("flow_queue");
    try (BaseQueue q = f.open("flow", false, b -> b.length(1000))) {
      for (int i = 0; i < 500; i++) {
        q.push(item("x" + i), LONG);
        q.ack(q.claim(1, Duration.ZERO));
      }
      q.push(item("last"), LONG);
    }
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(RawDb.tags(keys, raw.keysOf(keys))).isEqualTo("MRS");
      assertThat(keys.firstNumber(raw.keysOf(keys, Keys.READY).get(0))).isEqualTo(500);
      // 1,001 numbers used, from one block: the record was written in the first round only.
      assertThat(State.decode(raw.db.get(keys.state())))
          .isEqualTo(new State(QueueState.SEQUENCE_BLOCK, 0));
    }
    long lastId;
    try (BaseQueue q = f.open("flow", false, b -> b.length(1000))) {
      // Opening takes head and tail from the ready keys and goes on above the stored bound.
      Delivery d = q.claim(1, Duration.ZERO).get(0);
      assertThat(str(d.payload())).isEqualTo("last");
      assertThat(d.id()).isGreaterThanOrEqualTo(QueueState.SEQUENCE_BLOCK);
      q.push(item("next"), LONG);
      lastId = d.id();
    }
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(keys.firstNumber(raw.keysOf(keys, Keys.READY).get(0))).isEqualTo(501);
      State s = State.decode(raw.db.get(keys.state()));
      assertThat(s.seqLimit()).isEqualTo(2 * QueueState.SEQUENCE_BLOCK).isGreaterThan(lastId);
    }
  }

  @Test
  void queuesWithOneDirectoryShareOneHandleAndTheLastCloseReleasesIt() throws Exception {
    BaseQueue a = f.open("alpha", false);
    BaseQueue b = f.open("beta", false, s -> s.connStr("leveldb://queues/common"));
    BaseQueue c = f.open("gamma", false, s -> s.dataDir(f.commonDir().toString()));
    BaseQueue elsewhere = f.open("delta", false, s -> s.dataDir("queues/other"));
    try {
      LevelDb shared = ((LevelQueue) a).db();
      assertThat(((LevelQueue) b).db()).isSameAs(shared);
      assertThat(((LevelQueue) c).db()).isSameAs(shared);
      assertThat(((LevelQueue) elsewhere).db()).isNotSameAs(shared);
      a.push(item("a"), LONG);
      b.push(item("b"), LONG);
      assertThat(a.removeAll()).isEqualTo(1);
      assertThat(b.len()).isEqualTo(1);
    } finally {
      a.close();
      b.close();
    }
    Path dir = f.commonDir().toRealPath();
    assertThat(LevelDbs.isOpen(dir)).isTrue();
    c.close();
    assertThat(LevelDbs.isOpen(dir)).isFalse();
    try (RawDb raw = RawDb.open(dir, Engine.JNI)) { // the lock is free again
      assertThat(raw.keysOf(new Keys("beta_queue"), Keys.READY)).hasSize(1);
    }
    elsewhere.close();
  }

  @Test
  void aNameThatExtendsAnothersPlainPrefixStaysApart() {
    // "ab_queue" is a plain-string prefix of "ab_queue_x_queue"; the length prefix keeps them
    // apart, so removeAll on one never touches the other.
    try (BaseQueue ab = f.open("ab", false); BaseQueue abx = f.open("ab_queue_x", false)) {
      ab.push(item("1"), LONG);
      abx.push(item("2"), LONG);
      abx.push(item("3"), LONG);
      assertThat(ab.removeAll()).isEqualTo(1);
      assertThat(abx.len()).isEqualTo(2);
    }
    try (BaseQueue abx = f.open("ab_queue_x", false)) {
      assertThat(((LevelQueue) abx).repairs()).isEmpty();
      assertThat(abx.len()).isEqualTo(2);
    }
  }

  @Test
  void relativeDirectoriesResolveAgainstTheDataPath() {
    try (BaseQueue q = f.open("rel", false, s -> s.dataDir("some/where"))) {
      assertThat(((LevelQueue) q).db().directory()).isEqualTo(realTmp().resolve("some/where"));
    }
    try (BaseQueue q = f.open("rel", false, s -> s.connStr("leveldb://else%20where?engine=java"))) {
      assertThat(((LevelQueue) q).db().directory()).isEqualTo(realTmp().resolve("else where"));
      assertThat(((LevelQueue) q).db().engine()).isEqualTo(Engine.JAVA);
    }
  }

  private Path realTmp() {
    try {
      return f.dataPath.toRealPath();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void removeAllDeletesEveryWaitingKeyAndTheSet() {
    Keys keys = new Keys("ra_queue");
    try (BaseQueue q = f.open("ra", true)) {
      q.push(item("a"), LONG);
      q.push(item("b"), Duration.ofHours(1), LONG);
      q.push(item("c"), LONG);
      List<Delivery> inFlight = q.claim(1, Duration.ZERO);
      assertThat(q.removeAll()).isEqualTo(2);
      assertThat(q.has("c".getBytes())).isFalse();
      assertThat(q.has("b".getBytes())).isFalse();
      assertThat(inFlight).hasSize(1);
    }
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(RawDb.tags(keys, raw.keysOf(keys))).isEqualTo("FMS");
    }
  }
}
