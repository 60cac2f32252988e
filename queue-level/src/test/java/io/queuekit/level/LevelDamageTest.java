package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.spi.BaseQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damaged or unusable LevelDB files are reported as what they are (issue #10, item 5): lost writes
 * are counted, a damaged block names queue and directory, a failed read says read, a read-only
 * file system is not "corruption" and is never repaired.
 */
class LevelDamageTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  private static void assumeEngine(Engine engine) {
    assumeTrue(engine == Engine.JAVA || Engine.nativeAvailable(),
        "leveldbjni's native library does not load on " + Engine.platform());
  }

  private LevelQueue open(String dir, Engine engine) {
    return f.openLevel("q", false, b -> b.length(100_000)
        .connStr("leveldb://" + dir + "?engine=" + engine.option()));
  }

  private static Path newest(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).max(Path::compareTo)
          .orElseThrow(() -> new AssertionError("no " + suffix + " file in " + dir));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aTruncatedNewestLogIsReportedWithTheItemsItLost(Engine engine) throws IOException {
    assumeEngine(engine);
    try (LevelQueue q = open("db", engine)) {
      for (int i = 0; i < 5000; i++) {
        q.push(item("m" + i), LONG);
      }
    }
    Path dir = f.dataPath.resolve("db");
    Path log = newest(dir, ".log");
    try (FileChannel c = FileChannel.open(log, StandardOpenOption.WRITE)) {
      c.truncate(c.size() - 20_000); // a copy cut short, a damaged disk, power loss with SYNC=false
    }
    try (LevelQueue q = open("db", engine)) {
      long lost = 5000 - q.len();
      assertThat(lost).as("LevelDB drops the torn tail").isBetween(100L, 1000L);
      assertThat(q.damage()).singleElement().satisfies(d -> assertThat(d)
          .contains("do not hold what it held at its last clean close")
          .contains("5000 waiting, 0 in flight, 0 dead then")
          .contains(lost + " of the 5000 items it held are missing")
          .contains("truncated or damaged .log"));
    }
    // Reported once: the record of the clean close is gone, the next one is the new truth.
    try (LevelQueue q = open("db", engine)) {
      assertThat(q.damage()).isEmpty();
    }
  }

  @Test
  void aCleanCloseOrACrashIsNoDamage() {
    String conn = "leveldb://" + f.dataPath.resolve("db");
    try (LevelQueue q = f.openLevel("held", false, b -> b.connStr(conn))) {
      assertThat(q.damage()).isEmpty(); // no record yet
      q.push(item("a"), LONG);
      q.ack(q.claim(1, LONG));
      q.push(item("b"), LONG);
      q.claim(1, LONG); // in flight at close
      q.push(item("c"), LONG);
    }
    try (LevelQueue q = f.openLevel("held", false, b -> b.connStr(conn))) {
      assertThat(q.damage()).isEmpty();
      assertThat(q.len()).isEqualTo(2); // b recovered, c
    }
    // A process killed with the queue open leaves no record: its recovery is no damage either.
    try (ChildJvm child = ChildJvm.start(LevelChildMain.class, "hold",
        f.dataPath.resolve("db").toString())) {
      child.awaitLine("READY", LONG);
      child.kill();
    }
    try (LevelQueue q = f.openLevel("held", false, b -> b.connStr(conn))) {
      assertThat(q.damage()).isEmpty();
      assertThat(q.len()).isEqualTo(3);
    }
  }

  /** 2,000 items in a snappy-compressed table file (the native engine flushes at reopen). */
  private Path tableOf2000Items() throws IOException {
    assumeEngine(Engine.JNI);
    for (int round = 0; round < 2; round++) {
      try (LevelQueue q = open("db", Engine.JNI)) {
        for (int i = 0; round == 0 && i < 2000; i++) {
          q.push(item("m" + i + "-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"), LONG);
        }
      }
    }
    return newest(f.dataPath.resolve("db"), ".sst");
  }

  private static void damage(Path file, int from, int to) {
    try {
      byte[] b = Files.readAllBytes(file);
      for (int i = from; i < to; i++) {
        b[i] ^= 0x5a;
      }
      Files.write(file, b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aDamagedBlockFailsTheOpenNamingQueueAndDirectory(Engine engine) throws IOException {
    assumeEngine(engine);
    // The first block holds the meta record, read before anything else: iq80 threw a raw
    // org.iq80.snappy.CorruptionException naming neither.
    damage(tableOf2000Items(), 20, 200);
    Path dir = f.dataPath.resolve("db").toRealPath();
    assertThatThrownBy(() -> open("db", engine))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("queue \"q\"").hasMessageContaining(dir.toString())
        .hasMessageContaining("reading");
    assertThat(LevelDbs.isOpen(dir)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFailedReadSaysRead(Engine engine) throws IOException {
    assumeEngine(engine);
    damage(tableOf2000Items(), 1000, 1200); // a later block: the open's scan reads it
    Path dir = f.dataPath.resolve("db").toRealPath();
    assertThatThrownBy(() -> open("db", engine))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("queue \"q\"").hasMessageContaining(dir.toString())
        .hasMessageContaining("reading the DB failed")
        .hasMessageNotContaining("write round").hasMessageNotContaining("the operation failed");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aReadOnlyFileSystemIsReportedAsSuchAndNeverRepaired(Engine engine) throws IOException {
    assumeEngine(engine);
    try (Tmpfs fs = Tmpfs.mount(f.dataPath.resolve("frozen"), "16m")) {
      Path dir = fs.dir().resolve("db");
      try (LevelQueue q = open(dir.toString(), engine)) {
        for (int i = 0; i < 3; i++) {
          q.push(item("m" + i), LONG);
        }
      }
      Map<String, Long> before = listing(dir);
      fs.remount("ro");
      assertThatThrownBy(() -> open(dir.toString(), engine))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("queue \"q\"").hasMessageContaining(dir.toString())
          .hasMessageContaining("read-only").hasMessageContaining("no repair was tried")
          .hasMessageNotContaining("corrupt").hasMessageNotContaining("repair was tried once");
      assertThat(listing(dir)).isEqualTo(before);
      assertThat(LevelDbs.isOpen(dir.toRealPath())).isFalse();
      fs.remount("rw");
      try (LevelQueue q = open(dir.toString(), engine)) {
        assertThat(q.repairs()).isEmpty();
        assertThat(q.damage()).isEmpty();
        assertThat(q.len()).isEqualTo(3);
      }
    }
  }

  private static Map<String, Long> listing(Path dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        out.put(p.getFileName().toString(), Files.size(p));
      }
    }
    return out;
  }
}
