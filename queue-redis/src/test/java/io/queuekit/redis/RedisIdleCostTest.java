package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.conformance.MutableClock;
import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.conformance.redis.Resp;
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
 * What an idle queue costs the store (docs/DESIGN.md §3.7: one long BLPOP per waiter, one EXISTS
 * per process per tick, two commands per queue per idle beat), counted with MONITOR on a
 * throwaway server of its own: commands, not time.
 */
class RedisIdleCostTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final int WAITS = 20;

  /**
   * {@value #WAITS} claim waits of 100 ms in a row on an idle queue (a long CONSUMER_TIMEOUT, so
   * no beat falls in them) send one {@code BLPOP} in all: it outlives each wait and the next one
   * takes it over (docs/DESIGN.md §3.7).
   */
  @Test
  void idleClaimWaitsShareOneLongBlockingCommand() throws Exception {
    String name = "idle" + ProcessHandle.current().pid();
    QueueSettings settings = QueueSettings.builder().type("redis")
        .connStr(redis.server().connStr()).consumerTimeout(Duration.ofSeconds(60)).build();
    try (Queues queues = new Queues(redis.server().connStr())) {
      RedisQueue q = queues.open(name, false, settings);
      try (Monitor mon = new Monitor(redis.server().port())) {
        // the first wait claims (registering), then blocks
        assertThat(q.claim(1, Duration.ofMillis(100))).isEmpty();
        mon.awaitCount("blpop", 1);
        mon.clear();
        for (int i = 0; i < WAITS; i++) {
          assertThat(q.claim(1, Duration.ofMillis(100))).isEmpty();
        }
        // the reaper's first registry read (HKEYS) may fall anywhere in its first period
        assertThat(mon.all()).as("commands over %d idle claim waits", WAITS)
            .allSatisfy(l -> assertThat(command(l)).isEqualTo("hkeys"));
        // a push reaches the next claim: through the BLPOP still blocked if the claim is attached
        // to it when the token comes, else the token is pushed back and a new BLPOP takes it
        queues.open(name, false, settings).push(
            io.queuekit.spi.Item.of("1".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(5));
        assertThat(q.claim(1, Duration.ofSeconds(30))).hasSize(1);
        assertThat(count(mon.all(), "\"blpop\"")).as("new BLPOPs").isLessThanOrEqualTo(1);
      }
    }
  }

  /**
   * A short CONSUMER_TIMEOUT (1 s: a group tick every 333 ms, an idle beat every 2 s) and a window
   * of {@value #TICKS} ticks: an idle queue's bookkeeping is the process's one {@code EXISTS} on
   * the busy sets per tick and, once per idle period, the heartbeat's {@code SET XX} and the
   * beat's {@code EXISTS}; the registry read ({@code HKEYS}) once per two idle periods or less.
   * No script runs, so the server executes no more commands than the clients send.
   */
  @Test
  void anIdleQueuesBookkeepingIsOneCommandPerTickAndTwoPerIdleBeat() throws Exception {
    String name = "idlebeat" + ProcessHandle.current().pid();
    QueueSettings settings = QueueSettings.builder().type("redis")
        .connStr(redis.server().connStr()).consumerTimeout(Duration.ofSeconds(1)).build();
    try (QueueManager m = QueueManager.builder().dataPath(Path.of("target"))
        .claimWait(Duration.ofMillis(500)).config(QueueConfig.of(settings)).build()) {
      m.createSimple(name, Integer.class, items -> List.of());
      try (Monitor mon = new Monitor(redis.server().port(), true)) {
        // warm up: registration, the first claims and the first idle beat (a SET the client
        // sent, not the registration script's)
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(60)).until(() -> mon.all()
            .stream().anyMatch(l -> !l.contains(" lua] ") && command(l).equals("set")));
        mon.clear();
        await().pollDelay(Duration.ZERO).atMost(Duration.ofSeconds(60))
            .until(() -> count(mon.all(), ":busy\"") >= TICKS);
        List<String> seen = mon.all();
        assertThat(seen).noneMatch(l -> l.contains(" lua] "));
        assertThat(seen).as("commands over the window").allSatisfy(l ->
            assertThat(command(l)).isIn("exists", "set", "hkeys", "blpop"));
        long ticks = seen.stream().filter(l -> command(l).equals("exists") && l.contains(":busy\""))
            .count();
        long sets = seen.stream().filter(l -> command(l).equals("set")).count();
        long exists = seen.stream().filter(l -> command(l).equals("exists")).count() - ticks;
        long hkeys = seen.stream().filter(l -> command(l).equals("hkeys")).count();
        long blpops = seen.stream().filter(l -> command(l).equals("blpop")).count();
        assertThat(seen).filteredOn(l -> l.toLowerCase().contains("\"set\""))
            .allSatisfy(l -> assertThat(l.toLowerCase()).contains(":heartbeat:").contains("\"xx\""));
        // TICKS ticks span about TICKS / 6 idle beats (one every 2 s)
        long idleBeats = ticks / 6 + 1;
        assertThat(sets).as("idle heartbeats over %d ticks: %s", ticks, seen)
            .isBetween(1L, idleBeats);
        assertThat(exists).as("beat EXISTS over %d ticks: %s", ticks, seen).isLessThanOrEqualTo(idleBeats);
        // idle, the registry is read every 0.5 to 1 x two idle beats: at most one per idle beat
        // (the window of 12 ticks can hold two reads 2 s apart)
        assertThat(hkeys).as("registry reads over %d ticks: %s", ticks, seen)
            .isLessThanOrEqualTo(idleBeats);
        assertThat(blpops).as("the long BLPOP outlives the window").isLessThanOrEqualTo(1);
      }
    }
  }

  private static final int TICKS = 12;

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
      // idle: blocking
      mon.awaitCount("blpop", 1);
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

  /** The command of a MONITOR line: {@code +<time> [<db> <addr>] "cmd" ...}. */
  private static String command(String line) {
    int at = line.indexOf("] \"");
    return at < 0 ? "" : line.substring(at + 3, line.indexOf('"', at + 3)).toLowerCase();
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

    /**
     * Every line seen once the server has run a {@code PING} sent now through {@code r}: every
     * command it ran before is among them.
     */
    List<String> allThrough(Resp r) {
      long pings = count(lines, "\"PING\"");
      r.call("PING");
      await().atMost(Duration.ofSeconds(60)).until(() -> count(lines, "\"PING\"") > pings);
      return all();
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
