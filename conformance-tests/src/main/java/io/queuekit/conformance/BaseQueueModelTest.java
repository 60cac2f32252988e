package io.queuekit.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.QueueFullException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The stateful test of the {@link BaseQueue} contract (docs/DESIGN.md §7): {@link StatefulCheck} drives a real queue with
 * random chains of push (single and batch, with and without delay), offer, claim, ack, release
 * (delay 0 and &gt; 0), unclaim, deadLetter, replay, purge, removeAll, settle calls with stale
 * deliveries, clock advances and, on persistent backends, crashes ({@link TestBackend#kill} and
 * reopen), and checks every result against {@link QueueModel}. After every action it checks
 * {@code len}, {@code has} of every payload, {@code stats()} and the dead-letter list.
 *
 * <p>A backend module runs it with a subclass that returns its {@link TestBackend}, as for {@link
 * BaseQueueConformanceTest}; {@link #backend()} is called once per property and closed after it.
 * Each property runs 100 tries of at most 30 actions; {@code -Dqueuekit.full=true} raises that to
 * 1,000 tries. A failure prints the shrunk sequence and the seed of its try: {@code
 * -Dqueuekit.model.seed=SEED} replays that try alone.
 *
 * <p>Queues have {@code LENGTH} {@value #LENGTH} and {@code DEAD_LETTER_LENGTH} {@value #DEAD_CAP}
 * so full queues and dropped dead letters happen often; items are a handful of short strings so
 * unique queues see duplicates and merges. Every call is non-blocking (zero timeouts and waits):
 * the model has no threads. Beyond the contract it assumes what {@link BaseQueueConformanceTest}
 * pins down: recovered items return to the head in claim order, replay and merge keep the waiting
 * copy's first-pushed time, and {@code stats()} counts a delayed item already due as ready
 * (claimable now), promoted or not.
 */
public abstract class BaseQueueModelTest {
  static final int LENGTH = 5;
  static final int DEAD_CAP = 2;
  static final int MAX_ACTIONS = 30;
  static final List<String> PAYLOADS = List.of("a", "b", "c");
  private static final List<Duration> DELAYS =
      List.of(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(3));

  /** The backend under test. */
  protected abstract TestBackend backend();

  /** Tries per property in the default build, and with {@code -Dqueuekit.full=true}. */
  static final int TRIES = 100;
  static final int FULL_TRIES = 1000;

  @Test
  void simpleQueueBehavesLikeTheModel() {
    assertHolds(false);
  }

  @Test
  void uniqueQueueBehavesLikeTheModel() {
    assertHolds(true);
  }

  private void assertHolds(boolean unique) {
    String property = (unique ? "unique" : "simple") + " queue behaves like the model";
    TestBackend backend = backend();
    try {
      String replay = System.getProperty("queuekit.model.seed");
      long master = new Random().nextLong();
      Optional<StatefulCheck.Failure> failure = check(backend, unique).find(
          Boolean.getBoolean("queuekit.full") ? FULL_TRIES : TRIES, master,
          replay == null || replay.isBlank() ? null : Long.valueOf(replay.trim()));
      failure.ifPresent(f -> {
        throw new AssertionError(f.report(property), f.cause());
      });
    } finally {
      backend.close();
    }
  }

  /**
   * The model check for {@code backend}: what the tests run, and what a mutation check runs
   * against deliberately broken stores to show the check would catch them.
   */
  public static StatefulCheck<?> check(TestBackend backend, boolean unique) {
    StatefulCheck<Run> c = new StatefulCheck<Run>(() -> new Run(backend, unique), Run::check,
        Run::close, MAX_ACTIONS)
        .action(6, push())
        .action(2, pushAll())
        .action(2, offer())
        .action(6, claim())
        .action(3, ack())
        .action(4, release())
        .action(2, unclaim())
        .action(3, deadLetter())
        .action(2, replay())
        .action(1, purge())
        .action(1, removeAll())
        .action(3, advanceClock())
        .action(2, settleStale());
    if (backend.capabilities().persistent()) {
      c.action(1, crash());
    }
    return c;
  }

  // ---- actions: parameters are drawn up front; indices pick among what exists at run time ----

  private static <T> T oneOf(Random r, List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  private static int between(Random r, int min, int max) {
    return min + r.nextInt(max - min + 1);
  }

  private static int index(Random r) {
    return r.nextInt(1001);
  }

  private static Function<Random, StatefulCheck.Step<Run>> push() {
    return r -> {
      String p = oneOf(r, PAYLOADS);
      Duration d = oneOf(r, DELAYS);
      return StatefulCheck.step("push(" + p + ", " + d + ")", run -> run.push(p, d));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> pushAll() {
    return r -> {
      List<String> ps = new ArrayList<>();
      for (int i = between(r, 1, 4); i > 0; i--) {
        ps.add(oneOf(r, PAYLOADS));
      }
      return StatefulCheck.step("pushAll(" + ps + ")", run -> run.pushAll(ps));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> offer() {
    return r -> {
      String p = oneOf(r, PAYLOADS);
      return StatefulCheck.step("offer(" + p + ")", run -> run.offer(p));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> claim() {
    return r -> {
      int max = between(r, 1, 4);
      return StatefulCheck.step("claim(" + max + ")", run -> run.claim(max));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> ack() {
    return r -> {
      int n = between(r, 1, 3);
      return StatefulCheck.step("ack(first " + n + " held)", Run::holdsDeliveries, run -> run.ack(n));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> release() {
    return r -> {
      int i = index(r);
      Duration d = oneOf(r, DELAYS);
      return StatefulCheck.step("release(held #" + i + ", " + d + ")", Run::holdsDeliveries,
          run -> run.release(i, d));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> unclaim() {
    return r -> {
      int n = between(r, 1, 3);
      return StatefulCheck.step("unclaim(first " + n + " held)", Run::holdsDeliveries,
          run -> run.unclaim(n));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> deadLetter() {
    return r -> {
      int i = index(r);
      return StatefulCheck.step("deadLetter(held #" + i + ")", Run::holdsDeliveries,
          run -> run.deadLetter(i));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> replay() {
    return r -> {
      int kind = r.nextInt(3);
      int i = index(r);
      return kind == 0 ? StatefulCheck.step("replayDead(#" + i + ")", run -> run.replay(i))
          : kind == 1 ? StatefulCheck.step("replayDead(unknown id)", Run::replayUnknown)
          : StatefulCheck.step("replayAllDead", Run::replayAll);
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> purge() {
    return r -> {
      int i = index(r);
      return r.nextBoolean() ? StatefulCheck.step("purgeDead(#" + i + ")", run -> run.purge(i))
          : StatefulCheck.step("purgeAllDead", Run::purgeAll);
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> removeAll() {
    return r -> StatefulCheck.step("removeAll", Run::removeAll);
  }

  private static Function<Random, StatefulCheck.Step<Run>> advanceClock() {
    return r -> {
      long ms = oneOf(r, List.of(500L, 1000L, 2000L, 4000L));
      return StatefulCheck.step("advance(" + ms + "ms)", run -> run.advance(Duration.ofMillis(ms)));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> settleStale() {
    return r -> {
      int i = index(r);
      int op = between(r, 0, 3);
      return StatefulCheck.step("settleStale(#" + i + ", op " + op + ")", Run::holdsStale,
          run -> run.settleStale(i, op));
    };
  }

  private static Function<Random, StatefulCheck.Step<Run>> crash() {
    return r -> StatefulCheck.step("crash", Run::crash);
  }

  // ---- one run: a real queue and its model ------------------------------------------------

  /** A real queue, the model it must match, and the deliveries the test holds. */
  static final class Run {
    private final QueueFixture fixture;
    private final Path dataPath;
    private final QueueModel model;
    private BaseQueue queue;
    /** Deliveries in flight, in claim order. */
    final Map<Long, Delivery> held = new LinkedHashMap<>();
    /** Deliveries no longer in flight: every settle call with them is STALE. */
    private final List<Delivery> stale = new ArrayList<>();
    private final Set<Long> deliveryIds = new HashSet<>();
    private int reasons;

    Run(TestBackend backend, boolean unique) {
      try {
        dataPath = Files.createTempDirectory("queuekit-model");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      fixture = new QueueFixture(backend, unique ? "model_unique" : "model_simple", dataPath);
      queue = fixture.open(unique, LENGTH, s -> s.deadLetterLength(DEAD_CAP));
      model = new QueueModel(unique, LENGTH, DEAD_CAP);
    }

    private Instant now() {
      return fixture.clock().instant();
    }

    boolean holdsDeliveries() {
      return !held.isEmpty();
    }

    boolean holdsStale() {
      return !stale.isEmpty();
    }

    void push(String p, Duration delay) {
      PushResult expected = model.push(p, delay, now());
      PushResult actual;
      try {
        actual = queue.push(item(p), delay, Duration.ZERO);
      } catch (QueueFullException e) {
        assertThat(e.queue()).isEqualTo(queue.name());
        assertThat(e.results()).isEmpty();
        actual = PushResult.FULL;
      }
      assertThat(actual).as("push(%s, %s) with %s", p, delay, model).isEqualTo(expected);
    }

    void pushAll(List<String> ps) {
      List<PushResult> expected = new ArrayList<>();
      for (String p : ps) {
        PushResult r = model.push(p, Duration.ZERO, now());
        if (r == PushResult.FULL) {
          break;
        }
        expected.add(r);
      }
      List<Item> items = ps.stream().map(BaseQueueModelTest::item).collect(Collectors.toList());
      try {
        List<PushResult> actual = queue.pushAll(items, Duration.ZERO);
        assertThat(expected).as("pushAll(%s) should have found the queue full", ps)
            .hasSize(ps.size());
        assertThat(actual).as("pushAll(%s)", ps).isEqualTo(expected);
      } catch (QueueFullException e) {
        assertThat(expected).as("pushAll(%s) found the queue full too early", ps)
            .hasSizeLessThan(ps.size());
        assertThat(e.results()).as("pushAll(%s) admitted", ps).isEqualTo(expected);
      }
    }

    void offer(String p) {
      PushResult expected = model.push(p, Duration.ZERO, now());
      assertThat(queue.offer(item(p))).as("offer(%s) with %s", p, model).isEqualTo(expected);
    }

    void claim(int max) {
      List<QueueModel.Copy> expected = model.claim(max, now());
      List<Delivery> actual = queue.claim(max, Duration.ZERO);
      assertThat(actual.stream().map(d -> text(d.payload())))
          .as("claim(%d) with %s", max, model)
          .containsExactlyElementsOf(expected.stream().map(c -> c.payload)
              .collect(Collectors.toList()));
      for (int i = 0; i < actual.size(); i++) {
        Delivery d = actual.get(i);
        QueueModel.Copy c = expected.get(i);
        assertThat(d.deliveryCount()).as("deliveryCount of %s", c).isEqualTo(c.deliveryCount);
        assertThat(d.recoveryCount()).as("recoveryCount of %s", c).isEqualTo(c.recoveryCount);
        assertThat(d.firstPushed()).as("firstPushed of %s", c).isEqualTo(c.firstPushed);
        assertThat(deliveryIds.add(d.id())).as("delivery id %d reused", d.id()).isTrue();
        model.inFlight.put(d.id(), c);
        held.put(d.id(), d);
      }
    }

    void ack(int n) {
      List<Delivery> ds = firstHeld(n);
      List<Outcome> expected = ds.stream().map(d -> model.ack(d.id())).collect(Collectors.toList());
      assertThat(queue.ack(ds)).as("ack").isEqualTo(expected);
      settled(ds);
    }

    void release(int index, Duration delay) {
      if (held.isEmpty()) {
        return;
      }
      Delivery d = pick(new ArrayList<>(held.values()), index);
      Outcome expected = model.release(d.id(), delay, now());
      assertThat(queue.release(d, delay)).as("release(%s, %s) with %s", text(d.payload()), delay,
          model).isEqualTo(expected);
      settled(List.of(d));
    }

    void unclaim(int n) {
      List<Delivery> ds = firstHeld(n);
      if (ds.isEmpty()) {
        return;
      }
      List<Outcome> expected = model.unclaim(ds.stream().map(Delivery::id)
          .collect(Collectors.toList()));
      assertThat(queue.unclaim(ds)).as("unclaim with %s", model).isEqualTo(expected);
      settled(ds);
    }

    void deadLetter(int index) {
      if (held.isEmpty()) {
        return;
      }
      Delivery d = pick(new ArrayList<>(held.values()), index);
      String reason = "reason-" + reasons++;
      assertThat(queue.deadLetter(d, reason)).as("deadLetter").isEqualTo(Outcome.DONE);
      List<DeadLetter> newest = queue.listDead(0, 1);
      assertThat(newest).as("the newest dead letter").hasSize(1);
      assertThat(newest.get(0).reason()).isEqualTo(reason);
      assertThat(model.deadLetter(d.id(), newest.get(0).id(), reason, now()))
          .isEqualTo(Outcome.DONE);
      settled(List.of(d));
    }

    void replay(int index) {
      if (model.dead.isEmpty()) {
        return;
      }
      long id = pick(model.dead, index).id();
      long expected = model.replay(List.of(id));
      assertThat(queue.replayDead(List.of(id))).as("replayDead(%d)", id).isEqualTo(expected);
    }

    void replayUnknown() {
      long unknown = model.dead.stream().mapToLong(QueueModel.Dead::id).max().orElse(0) + 1000;
      assertThat(queue.replayDead(List.of(unknown))).isZero();
    }

    void replayAll() {
      long expected = model.replay(model.dead.stream().map(QueueModel.Dead::id)
          .collect(Collectors.toList()));
      assertThat(queue.replayAllDead()).as("replayAllDead").isEqualTo(expected);
    }

    void purge(int index) {
      if (model.dead.isEmpty()) {
        return;
      }
      long id = pick(model.dead, index).id();
      long expected = model.purge(List.of(id));
      assertThat(queue.purgeDead(List.of(id))).as("purgeDead(%d)", id).isEqualTo(expected);
    }

    void purgeAll() {
      long expected = model.purge(model.dead.stream().map(QueueModel.Dead::id)
          .collect(Collectors.toList()));
      assertThat(queue.purgeAllDead()).as("purgeAllDead").isEqualTo(expected);
    }

    void removeAll() {
      long expected = model.removeAll();
      assertThat(queue.removeAll()).as("removeAll").isEqualTo(expected);
    }

    void advance(Duration d) {
      fixture.clock().advance(d);
    }

    void settleStale(int index, int op) {
      if (stale.isEmpty()) {
        return;
      }
      Delivery d = pick(stale, index);
      switch (op) {
        case 0:
          assertThat(queue.ack(List.of(d))).containsExactly(Outcome.STALE);
          break;
        case 1:
          assertThat(queue.release(d, Duration.ZERO)).isEqualTo(Outcome.STALE);
          break;
        case 2:
          assertThat(queue.unclaim(List.of(d))).containsExactly(Outcome.STALE);
          break;
        default:
          assertThat(queue.deadLetter(d, "stale")).isEqualTo(Outcome.STALE);
          break;
      }
    }

    void crash() {
      fixture.backend().kill(queue);
      queue = fixture.reopen(queue);
      model.recover();
      settled(new ArrayList<>(held.values()));
    }

    /** Everything observable matches the model. */
    void check() {
      Instant now = now();
      assertThat(queue.len()).as("len with %s", model).isEqualTo(model.waiting());
      for (String p : PAYLOADS) {
        assertThat(queue.has(p.getBytes(UTF_8))).as("has(%s) with %s", p, model)
            .isEqualTo(model.has(p));
      }
      StoreStats stats = queue.stats();
      assertThat(stats.waiting()).as("stats ready + delayed with %s", model)
          .isEqualTo(model.waiting());
      // StoreStats.ready is "claimable now": due delayed items count, promoted or not.
      assertThat(stats.ready()).as("stats.ready with %s", model)
          .isEqualTo(model.ready.size() + model.due(now));
      assertThat(stats.inFlight()).as("stats.inFlight").isEqualTo(model.inFlight.size());
      assertThat(stats.dead()).as("stats.dead").isEqualTo(model.dead.size());
      assertThat(stats.deadDropped()).as("stats.deadDropped").isEqualTo(model.deadDropped);
      assertThat(stats.oldestWaiting()).as("stats.oldestWaiting with %s", model)
          .isEqualTo(model.oldestWaiting());

      List<DeadLetter> dead = queue.listDead(0, DEAD_CAP + 1);
      List<QueueModel.Dead> newestFirst = new ArrayList<>(model.dead);
      Collections.reverse(newestFirst);
      assertThat(dead).as("listDead").hasSameSizeAs(newestFirst);
      for (int i = 0; i < dead.size(); i++) {
        DeadLetter actual = dead.get(i);
        QueueModel.Dead expected = newestFirst.get(i);
        assertThat(actual.id()).as("dead #%d id", i).isEqualTo(expected.id());
        assertThat(text(actual.payload())).as("dead #%d payload", i)
            .isEqualTo(expected.copy().payload);
        assertThat(actual.reason()).as("dead #%d reason", i).isEqualTo(expected.reason());
        assertThat(actual.deliveryCount()).as("dead #%d deliveryCount", i)
            .isEqualTo(expected.copy().deliveryCount);
        assertThat(actual.recoveryCount()).as("dead #%d recoveryCount", i)
            .isEqualTo(expected.copy().recoveryCount);
        assertThat(actual.firstPushed()).as("dead #%d firstPushed", i)
            .isEqualTo(expected.copy().firstPushed);
        assertThat(actual.deadAt()).as("dead #%d deadAt", i).isEqualTo(expected.deadAt());
      }
    }

    private List<Delivery> firstHeld(int n) {
      return held.values().stream().limit(n).collect(Collectors.toList());
    }

    private void settled(List<Delivery> ds) {
      for (Delivery d : ds) {
        held.remove(d.id());
        stale.add(d);
      }
    }

    private static <T> T pick(List<T> list, int index) {
      return list.get(index % list.size());
    }

    void close() {
      try {
        fixture.close();
      } finally {
        deleteRecursively(dataPath);
      }
    }

    @Override
    public String toString() {
      return "Run[" + queue.name() + ": " + model + "]";
    }
  }

  static Item item(String text) {
    return Item.of(text.getBytes(UTF_8));
  }

  static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
