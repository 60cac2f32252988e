package io.queuekit.level;

import static io.queuekit.level.Fixture.item;
import static io.queuekit.level.Fixture.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueClosedException;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.QueueUnavailableException;
import io.queuekit.conformance.crash.ChildJvm;
import io.queuekit.level.Records.Meta;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.iq80.leveldb.DB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every way opening or using a LevelDB queue can fail: the error names what and where. */
class LevelErrorsTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @RegisterExtension final Fixture f = new Fixture();

  @Test
  void wrongSchemeEmptyPathAndUnknownOptionsAreConfigErrors() {
    assertThatThrownBy(() -> f.open("mail", false, b -> b.connStr("redis://127.0.0.1:6379/0")))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("queue \"mail\"")
        .hasMessageContaining("CONN_STR=redis://127.0.0.1:6379/0")
        .hasMessageContaining("leveldb://path");
    assertThatThrownBy(() -> f.open("mail", false, b -> b.connStr("leveldb://")))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("names no directory");
    assertThatThrownBy(() -> f.open("mail", false, b -> b.connStr("leveldb://q?engine=rust")))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("engine=rust");
    assertThatThrownBy(() -> f.open("mail", false, b -> b.connStr("leveldb://q?colour=blue")))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("\"colour\"");
    assertThatThrownBy(() -> f.open("mail", false, b -> b.connStr("leveldb://q?writebuffer=big")))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("writebuffer=big");
    // Gitea's option names, case and separators ignored, are accepted.
    try (BaseQueue q = f.open("mail", false,
        b -> b.connStr("leveldb://q?Write_Buffer=4MiB&block-cache-capacity=8MiB&nosync=true"))) {
      assertThat(q.len()).isZero();
    }
    assertThat(f.dataPath.resolve("q/CURRENT")).exists();
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsNamed() throws Exception {
    Files.writeString(f.dataPath.resolve("blocker"), "a file, not a directory");
    assertThatThrownBy(() -> f.open("mail", false, b -> b.dataDir("blocker/queues")))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("cannot create the LevelDB directory")
        .hasMessageContaining(f.dataPath.resolve("blocker/queues").toString())
        .hasMessageContaining("DATADIR=blocker/queues");
    assertThat(Files.readString(f.dataPath.resolve("blocker"))).isEqualTo("a file, not a directory");
  }

  @Test
  void aDirectoryLockedByAnotherProcessSaysSoAndLosesNothing() {
    Path dir = f.dataPath.resolve("shared");
    try (ChildJvm child = ChildJvm.start(LevelChildMain.class, "hold", dir.toString())) {
      child.awaitLine("READY", LONG);
      String connStr = "leveldb://" + dir;
      assertThatThrownBy(() -> f.open("mine", false, b -> b.connStr(connStr)))
          .isInstanceOf(QueueUnavailableException.class)
          .hasMessageContaining("queue \"mine\"")
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("is locked by another process")
          .hasMessageContaining("TYPE=redis");
      closeInput(child); // the child closes its queue and exits
      child.awaitLine("DONE", LONG);
      assertThat(child.awaitExit(LONG)).isZero();
      // The lock went with the process; the child's item is there.
      try (BaseQueue q = f.open("held", false, b -> b.connStr(connStr))) {
        assertThat(q.claim(1, Duration.ZERO)).extracting(d -> str(d.payload()))
            .containsExactly("from the child");
      }
    }
  }

  private static void closeInput(ChildJvm child) {
    try {
      child.process().getOutputStream().close();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aKilledHolderReleasesTheLock() {
    Path dir = f.dataPath.resolve("killed");
    try (ChildJvm child = ChildJvm.start(LevelChildMain.class, "hold", dir.toString())) {
      child.awaitLine("READY", LONG);
      child.kill();
      try (BaseQueue q = f.open("held", false, b -> b.connStr("leveldb://" + dir))) {
        assertThat(q.len()).isEqualTo(1);
      }
    }
  }

  @Test
  void aCorruptManifestIsRepairedOnceAndNothingIsLost() throws Exception {
    try (BaseQueue q = f.open("mail", false, b -> b.length(100))) {
      for (int i = 0; i < 50; i++) {
        q.push(item("m" + i), LONG);
      }
    }
    Path dir = f.commonDir();
    Path manifest = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim());
    byte[] bytes = Files.readAllBytes(manifest);
    for (int i = 0; i < Math.min(40, bytes.length); i++) {
      bytes[i] = 'x';
    }
    Files.write(manifest, bytes);
    try (BaseQueue q = f.open("mail", false)) {
      assertThat(((LevelQueue) q).db().repaired()).isTrue();
      List<Delivery> all = q.claim(100, Duration.ZERO);
      assertThat(all).hasSize(50);
      assertThat(str(all.get(0).payload())).isEqualTo("m0");
    }
  }

  @Test
  void aDbRepairCannotFixFailsNamingPathAndBothCauses() throws Exception {
    try (BaseQueue q = f.open("mail", false)) {
      q.push(item("kept"), LONG);
    }
    Path dir = f.commonDir();
    Files.delete(dir.resolve("CURRENT"));
    Files.createDirectory(dir.resolve("CURRENT")); // LevelDB can neither read nor rebuild this
    long filesBefore;
    try (Stream<Path> s = Files.list(dir)) {
      filesBefore = s.count();
    }
    assertThatThrownBy(() -> f.open("mail", false))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("corrupt or unreadable")
        .hasMessageContaining("CURRENT: Is a directory")
        .hasMessageContaining("repair was tried once and failed")
        .hasMessageContaining("left as they are");
    assertThat(LevelDbs.isOpen(dir.toRealPath())).isFalse();
    // Restore CURRENT by hand: the data was never touched.
    Files.delete(dir.resolve("CURRENT"));
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.count()).isGreaterThanOrEqualTo(filesBefore - 1);
    }
    Path manifest;
    try (Stream<Path> s = Files.list(dir)) {
      manifest = s.filter(p -> p.getFileName().toString().startsWith("MANIFEST-"))
          .max(Path::compareTo).orElseThrow();
    }
    Files.writeString(dir.resolve("CURRENT"), manifest.getFileName() + "\n");
    try (BaseQueue q = f.open("mail", false)) {
      assertThat(q.claim(1, Duration.ZERO)).extracting(d -> str(d.payload()))
          .containsExactly("kept");
    }
  }

  @Test
  void aNewerLayoutOrTheOtherFlavourIsRefusedAndLeftAlone() {
    try (BaseQueue q = f.open("mail", false)) {
      q.push(item("a"), LONG);
    }
    assertThatThrownBy(() -> f.open("mail", true))
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("queue \"mail\"").hasMessageContaining("mail_queue")
        .hasMessageContaining("created as a simple queue")
        .hasMessageContaining("opened as a unique queue");
    Keys keys = new Keys("mail_queue");
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      raw.db.put(keys.meta(), new Meta(7, false).encode());
    }
    assertThatThrownBy(() -> f.open("mail", false))
        .isInstanceOf(QueueUnavailableException.class)
        .hasMessageContaining("layout version 7").hasMessageContaining("version 2")
        .hasMessageContaining(f.commonDir().toString());
    try (RawDb raw = RawDb.open(f.commonDir(), Engine.JNI)) {
      assertThat(Meta.decode(raw.db.get(keys.meta())).version()).isEqualTo(7);
      assertThat(raw.keysOf(keys)).hasSizeGreaterThan(2);
      raw.db.put(keys.meta(), new Meta(2, false).encode());
    }
    try (BaseQueue q = f.open("mail", false)) {
      assertThat(q.len()).isEqualTo(1);
    }
  }

  @Test
  void aQueueNameOpenTwiceInOneProcessIsAnError() {
    try (BaseQueue q = f.open("mail", false)) {
      assertThatThrownBy(() -> f.open("mail", false))
          .isInstanceOf(QueueException.class)
          .hasMessageContaining("queue \"mail\" (storage name mail_queue) is already open")
          .hasMessageContaining(f.commonDir().toString());
      // Another name storing under the same storage name is refused too.
      assertThatThrownBy(() -> f.open("mail_queue", false, b -> b.queueName("")))
          .isInstanceOf(QueueException.class).hasMessageContaining("as queue \"mail\"");
      assertThat(q.len()).isZero();
    }
    try (BaseQueue again = f.open("mail", false)) {
      assertThat(again.len()).isZero();
    }
  }

  @Test
  void closingRacingOperationsNeverClosesTheDbUnderThem() throws Exception {
    // leveldbjni aborts the JVM when a DB is closed under an open iterator or call; this run
    // would not finish if close() raced the operations below.
    ExecutorService ex = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 5; round++) {
        BaseQueue q = f.open("race" + round, round % 2 == 0);
        BaseQueue neighbour = f.open("neighbour" + round, false); // opens while others run
        CountDownLatch started = new CountDownLatch(4);
        AtomicBoolean unexpected = new AtomicBoolean();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          int thread = t;
          fs.add(ex.submit(() -> {
            started.countDown();
            try {
              for (int i = 0; ; i++) {
                switch ((thread + i) % 4) {
                  case 0: q.offer(item(thread + ":" + i)); break;
                  case 1: q.ack(q.claim(3, Duration.ofMillis(1))); break;
                  case 2: q.has(("x" + i).getBytes()); break;
                  default: q.listDead(0, 5); q.stats(); break;
                }
              }
            } catch (QueueClosedException expected) {
              return null;
            } catch (RuntimeException e) {
              unexpected.set(true);
              throw e;
            }
          }));
        }
        started.await();
        q.close();
        for (Future<?> fu : fs) {
          fu.get(30, TimeUnit.SECONDS);
        }
        assertThat(unexpected).isFalse();
        neighbour.close();
        assertThat(LevelDbs.isOpen(f.commonDir().toRealPath())).isFalse();
      }
    } finally {
      ex.shutdownNow();
    }
  }
}
