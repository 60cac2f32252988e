package io.queuekit.level;

import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Both engines read and write one format; the pure-Java one takes over where JNI cannot load. */
class LevelEngineTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  /** With a 256 KiB write buffer, enough compressible data that snappy tables get written. */
  private static final int ITEMS = 1_500;

  @RegisterExtension final Fixture f = new Fixture();

  static Item payload(int i) {
    String s = "item " + i + " " + "compressible text ".repeat(50);
    return Item.of(s.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "written by {0}, read by {1}")
  @CsvSource({"jni,java", "java,jni"})
  void aQueueWrittenByOneEngineOpensWithTheOther(String writer, String reader) throws Exception {
    List<Delivery> inFlight;
    try (BaseQueue q = f.open("cross", true, b -> b.length(100_000)
        .connStr("leveldb://cross?writebuffer=256KiB&engine=" + writer))) {
      assertThat(((LevelQueue) q).db().engine().option()).isEqualTo(writer);
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < ITEMS; i++) {
        items.add(payload(i));
      }
      assertThat(q.pushAll(items, LONG)).containsOnly(PushResult.ADDED);
      inFlight = q.claim(3, Duration.ZERO);
      q.release(q.claim(1, Duration.ZERO).get(0), Duration.ofMinutes(1));
    }
    try (Stream<Path> files = Files.list(f.dataPath.resolve("cross"))) {
      assertThat(files.filter(p -> p.toString().endsWith(".sst") || p.toString().endsWith(".ldb")))
          .as("tables were written, not only the log").isNotEmpty();
    }
    try (BaseQueue q = f.open("cross", true, b -> b.length(100_000)
        .connStr("leveldb://cross?engine=" + reader))) {
      LevelQueue lq = (LevelQueue) q;
      assertThat(lq.db().engine().option()).isEqualTo(reader);
      assertThat(lq.repairs()).isEmpty();
      assertThat(q.len()).isEqualTo(ITEMS);
      assertThat(q.has(payload(ITEMS - 1).identity())).isTrue();
      List<Delivery> all = new ArrayList<>();
      for (List<Delivery> d; !(d = q.claim(1000, Duration.ZERO)).isEmpty(); ) {
        all.addAll(d);
      }
      assertThat(all).hasSize(ITEMS - 1);
      for (int i = 0; i < 3; i++) {
        assertThat(all.get(i).payload()).isEqualTo(inFlight.get(i).payload());
        assertThat(all.get(i).recoveryCount()).isEqualTo(1);
      }
      assertThat(str(all.get(3).payload())).startsWith("item 4 ");
      assertThat(str(all.get(ITEMS - 2).payload())).startsWith("item " + (ITEMS - 1) + " ");
      f.clock.advance(Duration.ofMinutes(1));
      Delivery retried = q.claim(1, Duration.ZERO).get(0);
      assertThat(str(retried.payload())).startsWith("item 3 ");
      assertThat(retried.deliveryCount()).isEqualTo(1);
    }
  }

  @Test
  void withoutTheNativeLibraryTheJavaEngineTakesOverWithOneWarning() {
    // leveldbjni unpacks its library into java.io.tmpdir; where that does not exist, it cannot
    // load, which is what ARM64 and Apple silicon look like.
    Path dir = f.dataPath.resolve("fallback");
    try (ChildJvm child = ChildJvm.start(LevelChildMain.class,
        List.of("-Djava.io.tmpdir=" + f.dataPath.resolve("no-such-tmpdir")),
        List.of("probe", dir.toString()))) {
      assertThat(child.awaitLine("ENGINE", LONG)).isEqualTo("ENGINE java LEN 1");
      assertThat(child.awaitLine("JNI", LONG))
          .contains("engine=jni was requested")
          .contains("native library does not load")
          .contains(dir.toString());
      child.awaitLine("DONE", LONG);
      assertThat(child.awaitExit(LONG)).isZero();
      assertThat(child.stderr().lines().filter(l -> l.contains("WARN")
          && l.contains("native library does not load"))).hasSize(1);
    }
    // What the pure-Java engine wrote, the native one reads.
    try (BaseQueue q = f.open("probe", false, b -> b.connStr("leveldb://" + dir + "?engine=jni"))) {
      assertThat(q.claim(5, Duration.ZERO)).extracting(d -> str(d.payload()))
          .containsExactly("probe");
    }
  }
}
