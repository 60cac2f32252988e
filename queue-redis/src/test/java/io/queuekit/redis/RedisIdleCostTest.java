package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServerExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an idle queue costs the store (docs/DESIGN.md §3.7: about one command per waiter per blocking
 * timeout), counted with MONITOR on a throwaway server of its own: commands, not time.
 */
class RedisIdleCostTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final int WAITS = 20;

  /**
   * A long CONSUMER_TIMEOUT (heartbeat, sweep, reaper and promoter once per 20 s) and a short
   * claim wait (100 ms): the {@value #WAITS} claim waits counted fall between two heartbeat
   * periods, so every command in them is the claim loop's.
   */
  @Test
  void anIdleWorkerPoolCostsOneCommandPerClaimWait() throws Exception {
    String name = "idle" + ProcessHandle.current().pid();
    QueueSettings settings = QueueSettings.builder().type("redis")
        .connStr(redis.server().connStr()).consumerTimeout(Duration.ofSeconds(60)).build();
    try (QueueManager m = QueueManager.builder().dataPath(Path.of("target"))
        .claimWait(Duration.ofMillis(100)).config(QueueConfig.of(settings)).build()) {
      m.createSimple(name, Integer.class, items -> List.of());
      try (Monitor mon = new Monitor(redis.server().port())) {
        // warm up: registration, the first promoter and reaper runs, the first claims
        mon.awaitCount("blpop", 3);
        mon.clear();
        mon.awaitCount("blpop", WAITS);
        List<String> seen = mon.lines();
        long blpops = count(seen, "\"blpop\"");
        long claims = count(seen, Scripts.Script.CLAIM.sha);
        long others = seen.size() - blpops;
        // before: one claim script per wait (and the promoter renewing its lease every second)
        assertThat(claims).as("claim scripts over %d waits: %s", blpops, seen).isLessThanOrEqualTo(1);
        assertThat(others).as("commands besides BLPOP over %d waits: %s", blpops, seen)
            .isLessThanOrEqualTo(2);
      }
    }
  }

  /**
   * A short CONSUMER_TIMEOUT (a beat every second) and a window of {@value #BEATS} beats: an idle
   * queue's bookkeeping is the beat's two plain commands (the heartbeat's {@code SET XX} and one
   * {@code EXISTS}) and the reaper's registry read ({@code HKEYS}); no script runs, so the server
   * executes no more commands than the clients send.
   */
  @Test
  void anIdleQueuesBookkeepingIsTwoPlainCommandsPerBeat() throws Exception {
    String name = "idlebeat" + ProcessHandle.current().pid();
    QueueSettings settings = QueueSettings.builder().type("redis")
        .connStr(redis.server().connStr()).consumerTimeout(Duration.ofSeconds(3)).build();
    try (QueueManager m = QueueManager.builder().dataPath(Path.of("target"))
        .claimWait(Duration.ofMillis(500)).config(QueueConfig.of(settings)).build()) {
      m.createSimple(name, Integer.class, items -> List.of());
      try (Monitor mon = new Monitor(redis.server().port(), true)) {
        // warm up: registration, the first claims and beats
        mon.awaitCount("set", 2);
        mon.clear();
        mon.awaitCount("set", BEATS);
        List<String> seen = mon.lines();
        long beats = count(seen, "\"set\"");
        long exists = count(seen, "\"exists\"");
        long hkeys = count(seen, "\"hkeys\"");
        long blpops = count(seen, "\"blpop\"");
        assertThat(seen).as("every command over %d beats", beats).allSatisfy(l ->
            assertThat(l.toLowerCase()).containsAnyOf("\"set\"", "\"exists\"", "\"hkeys\"",
                "\"blpop\""));
        assertThat(seen).noneMatch(l -> l.contains(" lua] "));
        assertThat(seen).filteredOn(l -> l.toLowerCase().contains("\"set\""))
            .allSatisfy(l -> assertThat(l.toLowerCase()).contains(":heartbeat:").contains("\"xx\""));
        assertThat(exists).as("EXISTS over %d beats: %s", beats, seen).isLessThanOrEqualTo(beats + 1);
        assertThat(blpops + exists + hkeys + beats).isEqualTo(seen.size());
      }
    }
  }

  private static final int BEATS = 6;

  /**
   * With the claim loop blocking without claiming, a delayed item pushed by another instance
   * (a producer that never claims, so runs no promoter) still reaches the idle pool about when it
   * falls due, not a heartbeat period (20 s) later: the push wakes a waiter, whose claim learns
   * the due time and bounds its blocking wait by it. Both read one {@link MutableClock}: the
   * claim the push woke finds the item not yet due (a state, not an elapsed time), and once the
   * clock reaches the due time the item arrives well before the next heartbeat.
   */
  @Test
  void aDelayedItemFromAnotherInstanceFallsDueOnTime() throws Exception {
    String name = "idledelay" + ProcessHandle.current().pid();
    QueueSettings settings = QueueSettings.builder().type("redis")
        .connStr(redis.server().connStr()).consumerTimeout(Duration.ofSeconds(60)).build();
    MutableClock clock = MutableClock.atEpoch2026();
    CountDownLatch got = new CountDownLatch(1);
    try (QueueManager consumer = QueueManager.builder().dataPath(Path.of("target")).clock(clock)
        .claimWait(Duration.ofMillis(100)).config(QueueConfig.of(settings)).build();
        Queues producers = new Queues(redis.server().connStr());
        Monitor mon = new Monitor(redis.server().port())) {
      consumer.createSimple(name, Integer.class, items -> {
        got.countDown();
        return List.of();
      });
      // idle: blocking without claiming first
      mon.awaitCount("blpop", 5);
      RedisQueue producer = producers.open(name, false, settings, clock);
      long claimsBefore = count(mon.all(), Scripts.Script.CLAIM.sha);
      producer.push(io.queuekit.spi.Item.of("7".getBytes(StandardCharsets.UTF_8)),
          Duration.ofSeconds(1), Duration.ofSeconds(10));
      // the push woke the waiter: its claim ran and, the clock not having moved, found nothing due
      await().atMost(Duration.ofSeconds(60))
          .until(() -> count(mon.all(), Scripts.Script.CLAIM.sha) > claimsBefore);
      assertThat(got.getCount()).as("handed out before it was due").isEqualTo(1);
      assertThat(producer.stats().delayed()).as("still delayed on the unmoved clock").isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      assertThat(got.await(8, TimeUnit.SECONDS)).as("delivered well before the next heartbeat")
          .isTrue();
      assertThat(producer.consumerId()).as("the producer never claimed").isNull();
    }
  }

  private static long count(List<String> lines, String what) {
    return lines.stream().filter(l -> l.toLowerCase().contains(what.toLowerCase())).count();
  }

  /** MONITOR on its own connection; keeps the commands clients sent (not those of scripts). */
  static final class Monitor implements AutoCloseable {
    private final Socket socket;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    Monitor(int port) {
      this(port, false);
    }

    /** {@code scripts}: keep the commands scripts run too (lines with {@code [0 lua]}). */
    Monitor(int port, boolean scripts) {
      try {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        OutputStream out = socket.getOutputStream();
        out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
            StandardCharsets.ISO_8859_1));
        String ok = in.readLine();
        if (!"+OK".equals(ok)) {
          throw new IllegalStateException("MONITOR answered " + ok);
        }
        reader = new Thread(() -> {
          try {
            for (String l; (l = in.readLine()) != null; ) {
              // "+<time> [<db> <client address>] "cmd" ...": scripts' commands say "[0 lua]"
              if (l.startsWith("+") && (scripts || !l.contains(" lua] "))) {
                lines.add(l);
              }
            }
          } catch (IOException closed) {
            // closed by close()
          }
        }, "monitor");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void awaitCount(String cmd, int n) {
      await().atMost(Duration.ofSeconds(60)).until(
          () -> count(lines, "\"" + cmd + "\"") >= n);
    }

    /** Every line seen so far. */
    List<String> all() {
      return new ArrayList<>(lines);
    }

    void clear() {
      lines.clear();
    }

    /** The lines seen so far, up to and including the last BLPOP (a wait counted whole). */
    List<String> lines() {
      List<String> copy = new ArrayList<>(lines);
      int last = copy.size() - 1;
      while (last >= 0 && !copy.get(last).toLowerCase().contains("\"blpop\"")) {
        last--;
      }
      return copy.subList(0, last + 1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
