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
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ActionChainArbitrary;
import net.jqwik.api.state.Transformer;

/**
 * The stateful test of the {@link BaseQueue} contract (DESIGN §7): jqwik drives a real queue with
 * random chains of push (single and batch, with and without delay), offer, claim, ack, release
 * (delay 0 and &gt; 0), unclaim, deadLetter, replay, purge, removeAll, settle calls with stale
 * deliveries, clock advances and, on persistent backends, crashes ({@link TestBackend#kill} and
 * reopen), and checks every result against {@link QueueModel}. After every action it checks
 * {@code len}, {@code has} of every payload, {@code stats()} and the dead-letter list.
 *
 * <p>A backend module runs it with a subclass that returns its {@link TestBackend}, as for {@link
 * BaseQueueConformanceTest}; {@link #backend()} is called once per property and closed after it. Each property runs 100 tries of at most 30 actions; {@code
 * -Dqueuekit.full=true} raises that to 1,000 tries.
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

  private final List<Run> runs = new ArrayList<>();
  private final List<TestBackend> backends = new ArrayList<>();

  @Property
  @AddLifecycleHook(Tries.class)
  void simpleQueueBehavesLikeTheModel(@ForAll("simpleChains") ActionChain<Run> chain) {
    runAndClose(chain);
  }

  @Property
  @AddLifecycleHook(Tries.class)
  void uniqueQueueBehavesLikeTheModel(@ForAll("uniqueChains") ActionChain<Run> chain) {
    runAndClose(chain);
  }

  private void runAndClose(ActionChain<Run> chain) {
    try {
      chain.withInvariant("queue matches the model", Run::check).run();
    } finally {
      List<Run> done = new ArrayList<>(runs);
      runs.clear();
      for (Run run : done) {
        run.close();
      }
    }
  }

  @Provide
  Arbitrary<ActionChain<Run>> simpleChains() {
    return chains(false);
  }

  @Provide
  Arbitrary<ActionChain<Run>> uniqueChains() {
    return chains(true);
  }

  /** Closes the backends this property used, as the other suites do after each test. */
  @AfterProperty
  void closeBackends() {
    List<TestBackend> used = new ArrayList<>(backends);
    backends.clear();
    for (TestBackend backend : used) {
      backend.close();
    }
  }

  private ActionChainArbitrary<Run> chains(boolean unique) {
    TestBackend backend = backend();
    backends.add(backend);
    ActionChainArbitrary<Run> chains = ActionChain.<Run>startWith(() -> {
      Run run = new Run(backend, unique);
      runs.add(run);
      return run;
    })
        .withAction(6, push())
        .withAction(2, pushAll())
        .withAction(2, offer())
        .withAction(6, claim())
        .withAction(3, ack())
        .withAction(4, release())
        .withAction(2, unclaim())
        .withAction(3, deadLetter())
        .withAction(2, replay())
        .withAction(1, purge())
        .withAction(1, removeAll())
        .withAction(3, advanceClock())
        .withAction(2, settleStale());
    if (backend.capabilities().persistent()) {
      chains = chains.withAction(1, crash());
    }
    return chains.withMaxTransformations(MAX_ACTIONS);
  }

  // ---- actions: parameters are drawn up front; indices pick among what exists at run time ----

  private static Arbitrary<String> payloads() {
    return Arbitraries.of(PAYLOADS);
  }

  private static Arbitrary<Integer> index() {
    return Arbitraries.integers().between(0, 1000);
  }

  private static Action<Run> push() {
    return always(Combinators.combine(payloads(), Arbitraries.of(DELAYS)).as((p, d) ->
        does("push(" + p + ", " + d + ")", run -> run.push(p, d))));
  }

  private static Action<Run> pushAll() {
    return always(payloads().list().ofMinSize(1).ofMaxSize(4).map(ps ->
        does("pushAll(" + ps + ")", run -> run.pushAll(ps))));
  }

  private static Action<Run> offer() {
    return always(payloads().map(p ->
        does("offer(" + p + ")", run -> run.offer(p))));
  }

  private static Action<Run> claim() {
    return always(Arbitraries.integers().between(1, 4).map(max ->
        does("claim(" + max + ")", run -> run.claim(max))));
  }

  /** A step the chain may take at any time. */
  private static Transformer<Run> does(String description, Consumer<Run> step) {
    return Transformer.mutate(description, step);
  }

  private static Action<Run> always(Arbitrary<Transformer<Run>> transformers) {
    return when(run -> true, transformers);
  }

  /** An action allowed only when {@code precondition} holds for the run. */
  private static Action<Run> when(Predicate<Run> precondition,
      Arbitrary<Transformer<Run>> transformers) {
    return new Action.Independent<Run>() {
      @Override
      public boolean precondition(Run run) {
        return precondition.test(run);
      }

      @Override
      public Arbitrary<Transformer<Run>> transformer() {
        return transformers;
      }
    };
  }

  private static Action<Run> ack() {
    return when(Run::holdsDeliveries, Arbitraries.integers().between(1, 3).map(n ->
        does("ack(first " + n + " held)", run -> run.ack(n))));
  }

  private static Action<Run> release() {
    return when(Run::holdsDeliveries,
        Combinators.combine(index(), Arbitraries.of(DELAYS)).as((i, d) ->
        does("release(held #" + i + ", " + d + ")", run -> run.release(i, d))));
  }

  private static Action<Run> unclaim() {
    return when(Run::holdsDeliveries, Arbitraries.integers().between(1, 3).map(n ->
        does("unclaim(first " + n + " held)", run -> run.unclaim(n))));
  }

  private static Action<Run> deadLetter() {
    return when(Run::holdsDeliveries, index().map(i ->
        does("deadLetter(held #" + i + ")", run -> run.deadLetter(i))));
  }

  private static Action<Run> replay() {
    return always(Arbitraries.oneOf(
        index().map(i -> does("replayDead(#" + i + ")", run -> run.replay(i))),
        Arbitraries.just(does("replayDead(unknown id)",
            run -> run.replayUnknown())),
        Arbitraries.just(does("replayAllDead", Run::replayAll))));
  }

  private static Action<Run> purge() {
    return always(Arbitraries.oneOf(
        index().map(i -> does("purgeDead(#" + i + ")", run -> run.purge(i))),
        Arbitraries.just(does("purgeAllDead", Run::purgeAll))));
  }

  private static Action<Run> removeAll() {
    return Action.just(does("removeAll", Run::removeAll));
  }

  private static Action<Run> advanceClock() {
    return always(Arbitraries.of(500L, 1000L, 2000L, 4000L).map(ms ->
        does("advance(" + ms + "ms)", run -> run.advance(Duration.ofMillis(ms)))));
  }

  private static Action<Run> settleStale() {
    return when(Run::holdsStale,
        Combinators.combine(index(), Arbitraries.integers().between(0, 3)).as(
        (i, op) -> does("settleStale(#" + i + ", op " + op + ")",
            run -> run.settleStale(i, op))));
  }

  private static Action<Run> crash() {
    return Action.just(does("crash", Run::crash));
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

  /**
   * 100 tries per property, or 1,000 with {@code -Dqueuekit.full=true} (the {@code full} profile):
   * set here rather than in {@code @Property} so one switch changes every backend's run.
   */
  public static final class Tries implements AroundPropertyHook {
    /** Tries per property in the default build. */
    static final int DEFAULT = 100;
    /** Tries per property with {@code -Dqueuekit.full=true}. */
    static final int FULL = 1000;

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context,
        PropertyExecutor property) {
      context.attributes().setTries(Boolean.getBoolean("queuekit.full") ? FULL : DEFAULT);
      return property.execute();
    }
  }
}
