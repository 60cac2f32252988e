package io.queuekit.conformance;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueInterruptedException;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import io.queuekit.spi.StoreStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The one {@link BaseQueue} conformance suite (docs/DESIGN.md §3, §7): Gitea's {@code testQueueBasic}
 * steps and every rule of the backend contract, for the simple and the unique flavour. A backend
 * module passes it with a subclass of a few lines:
 *
 * <pre>{@code
 * class ChannelBaseQueueTest extends BaseQueueConformanceTest {
 *   protected TestBackend backend() {
 *     return new TestBackend() {
 *       public String type() { return "channel"; }
 *       public QueueCapabilities capabilities() { return QueueCapabilities.inMemory(); }
 *     };
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #backend()} is called once per test and the backend is closed after it, as {@link
 * WorkerPoolConformanceTest} does (a backend sharing one server between tests makes its {@code
 * close()} leave it running). Every test opens its queues under names no other test uses, with {@code LENGTH} {@value #LENGTH}, a {@link MutableClock} and a {@code @TempDir}
 * data path, and closes them afterwards.
 *
 * <p>Nothing sleeps: a test waits for a state with an Awaitility deadline ({@link #PATIENCE},
 * generous because CI machines are loaded) and asserts no durations. A test that needs a thread
 * blocked in the queue waits until that thread is parked, then checks its call has not returned.
 *
 * <p>Rules the suite pins down where DESIGN is silent: replay keeps an item's first-pushed time;
 * a merged copy keeps the waiting copy's first-pushed time; recovered items go back to the head in
 * the order they were claimed; {@code stats()} counts a delayed item already due as ready.
 * Delayed items in these tests fall due at most a few seconds (of the test clock) after they were
 * delayed, because an in-process claimer re-reads the clock once per {@code due - now} of real
 * time.
 *
 * <p>Tests for persistent backends ({@link QueueCapabilities#persistent()}) are skipped on the
 * others.
 *
 * <p>After each test the counts of every queue still open must add up (stats' ready + delayed =
 * {@code len()}: {@link QueueFixture#checkCountsAddUp}); each test has {@value #TIMEOUT_SECONDS}
 * s, so a hang fails the test that hangs instead of the CI job.
 */
@Timeout(value = BaseQueueConformanceTest.TIMEOUT_SECONDS, unit = java.util.concurrent.TimeUnit.SECONDS)
public abstract class BaseQueueConformanceTest {
  /** A test's time limit: far above what any test takes, far below the CI job's. */
  static final long TIMEOUT_SECONDS = 180;
  /** {@code LENGTH} of every queue the suite opens, as in Gitea's test. */
  protected static final int LENGTH = 10;
  /** Timeout of a push expected to find the queue full, and of a claim expected to get nothing. */
  protected static final Duration SHORT = Duration.ofMillis(50);
  /** Timeout of a blocking call expected to be woken by something else; never reached. */
  protected static final Duration LONG = Duration.ofSeconds(120);
  /** How long a test waits for a state before it fails. */
  protected static final Duration PATIENCE = Duration.ofSeconds(60);

  /** The backend under test. Called once per test, before it runs. */
  protected abstract TestBackend backend();

  @TempDir Path dataPath;

  private QueueFixture fixture;
  private final List<Thread> threads = new ArrayList<>();

  @BeforeEach
  void openFixture(TestInfo info) {
    String label = info.getTestMethod().map(m -> m.getName()).orElse("test");
    fixture = new QueueFixture(backend(), label, dataPath);
    assumeTrue(fixture.backend().capabilities().stores()
        || info.getTestMethod().map(m -> m.isAnnotationPresent(EveryBackend.class)).orElse(false),
        () -> "needs a backend that stores items; " + fixture.backend().type() + " does not");
  }

  @AfterEach
  void closeFixture() throws InterruptedException {
    // A test that failed half-way may leave the flag set; it must not leak into the next test.
    Thread.interrupted();
    try {
      fixture.checkCountsAddUp(PATIENCE);
    } finally {
      closeAll();
    }
  }

  private void closeAll() throws InterruptedException {
    try {
      fixture.close();
      fixture.backend().close();
    } finally {
      for (Thread t : threads) {
        t.interrupt();
        t.join(PATIENCE.toMillis());
        assertThat(t.isAlive()).as("%s still running after the test", t.getName()).isFalse();
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Opens a queue with {@code LENGTH} {@value #LENGTH}. */
  protected BaseQueue open(Flavour flavour) {
    return open(flavour.unique(), UnaryOperator.identity());
  }

  /** Opens a queue with {@code LENGTH} {@value #LENGTH} and the settings {@code tweak} changes. */
  protected BaseQueue open(boolean unique, UnaryOperator<QueueSettings.Builder> tweak) {
    return fixture.open(unique, LENGTH, tweak);
  }

  /** The clock every queue of this test reads. */
  protected MutableClock clock() {
    return fixture.clock();
  }

  protected static Item item(String text) {
    return Item.of(text.getBytes(UTF_8));
  }

  protected static String text(byte[] bytes) {
    return new String(bytes, UTF_8);
  }

  protected static List<String> texts(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> text(d.payload())).collect(Collectors.toList());
  }

  protected static ConditionFactory patiently() {
    return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5));
  }

  /** Pushes each text with no delay, asserting it was added. */
  protected static void pushAll(BaseQueue q, String... texts) {
    for (String t : texts) {
      assertThat(q.push(item(t), SHORT)).as("push %s", t).isEqualTo(PushResult.ADDED);
    }
  }

  /** Claims exactly {@code n} ready items, without waiting. */
  protected static List<Delivery> claimN(BaseQueue q, int n) {
    List<Delivery> got = q.claim(n, SHORT);
    assertThat(got).as("claim %d", n).hasSize(n);
    return got;
  }

  /**
   * Claims everything ready (up to 100), in as many claims as it takes: a claim hands out a
   * recovered item alone (docs/DESIGN.md §3.2).
   */
  protected static List<Delivery> claimAll(BaseQueue q) {
    List<Delivery> out = new ArrayList<>();
    while (out.size() < 100) {
      List<Delivery> got = q.claim(100 - out.size(), out.isEmpty() ? SHORT : Duration.ZERO);
      if (got.isEmpty()) {
        break;
      }
      out.addAll(got);
    }
    return out;
  }

  /** A call running on its own thread, so the test can watch it block. */
  protected final class Background<T> {
    final Thread thread;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Background(String name, Callable<T> call) {
      thread = new Thread(() -> {
        try {
          result.complete(call.call());
        } catch (Throwable e) {
          result.completeExceptionally(e);
        }
      }, "conformance-" + name);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }

    /** Waits until the thread is parked inside the call, then checks the call has not returned. */
    Background<T> awaitBlocked() {
      patiently().until(() -> result.isDone()
          || thread.getState() == Thread.State.WAITING
          || thread.getState() == Thread.State.TIMED_WAITING);
      assertThat(result).as("%s returned although it had to wait", thread.getName()).isNotDone();
      return this;
    }

    /** Waits for the call to return and gives its result. */
    T awaitResult() throws InterruptedException, ExecutionException {
      patiently().until(result::isDone);
      return result.get();
    }

    /** Waits for the call to throw and gives what it threw. */
    Throwable awaitFailure() {
      patiently().until(result::isDone);
      assertThat(result).as("%s should have thrown", thread.getName()).isCompletedExceptionally();
      return result.handle((v, e) -> e instanceof CompletionException
          ? e.getCause() : e).join();
    }
  }

  // ---- Gitea's testQueueBasic --------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void giteaBasicSteps(Flavour flavour) {
    BaseQueue q = open(flavour);

    q.removeAll();
    assertThat(q.len()).isZero();

    assertThat(q.push(item("foo"), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(1);

    PushResult again = q.push(item("foo"), SHORT);
    if (flavour.unique()) {
      assertThat(again).isEqualTo(PushResult.DUPLICATE);
      assertThat(q.len()).isEqualTo(1);
      assertThat(q.has("foo".getBytes(UTF_8))).isTrue();
    } else {
      assertThat(again).isEqualTo(PushResult.ADDED);
      assertThat(q.len()).isEqualTo(2);
      assertThat(q.has("foo".getBytes(UTF_8))).isFalse();
    }

    assertThat(q.push(item("bar"), SHORT)).isEqualTo(PushResult.ADDED);
    List<String> claimed = new ArrayList<>();
    for (int i = 0; i < (flavour.unique() ? 2 : 3); i++) {
      claimed.addAll(texts(q.claim(1, SHORT)));
    }
    assertThat(claimed).isEqualTo(flavour.unique()
        ? List.of("foo", "bar") : List.of("foo", "foo", "bar"));

    assertThat(q.claim(1, Duration.ofMillis(10))).isEmpty();

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.claim(1, SHORT)).isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag restored").isTrue();
    } finally {
      Thread.interrupted();
    }

    for (int i = 0; i < LENGTH; i++) {
      assertThat(q.push(item("item-" + i), SHORT)).isEqualTo(PushResult.ADDED);
    }
    QueueFullException full = catchThrowableOfType(QueueFullException.class,
        () -> q.push(item("item-" + LENGTH), Duration.ofMillis(10)));
    assertThat(full).isNotNull();
    assertThat(full.queue()).isEqualTo(q.name());
    assertThat(full.length()).isEqualTo(LENGTH);
    assertThat(full.getMessage()).contains(q.name());
    assertThat(full.results()).isEmpty();

    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(q.removeAll()).isEqualTo(LENGTH);
    assertThat(q.len()).isZero();
  }

  // ---- interruption ------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void claimWithInterruptFlagSetThrowsAndClaimsNothing(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.claim(1, SHORT)).isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }

    assertThat(q.stats().inFlight()).isZero();
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).deliveryCount()).isZero();
  }

  @EveryBackend
  @ParameterizedTest
  @EnumSource(Flavour.class)
  void claimInterruptedWhileWaitingThrowsWithFlagRestored(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    Background<Boolean> claimer = new Background<>("claimer", () -> {
      try {
        q.claim(1, LONG);
        return false;
      } catch (QueueInterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
    }).awaitBlocked();

    claimer.thread.interrupt();

    assertThat(claimer.awaitResult()).as("threw with the interrupt flag restored").isTrue();
    if (fixture.backend().capabilities().stores()) {
      pushAll(q, "a");
      assertThat(texts(claimN(q, 1))).containsExactly("a");
    }
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushInterruptedWhileWaitingForRoomThrowsAndStoresNothing(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<Boolean> producer = new Background<>("producer", () -> {
      try {
        q.push(item("late"), LONG);
        return false;
      } catch (QueueInterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
    }).awaitBlocked();

    producer.thread.interrupt();

    assertThat(producer.awaitResult()).as("threw with the interrupt flag restored").isTrue();
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(texts(claimAll(q))).doesNotContain("late");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushWithInterruptFlagSetOnFullQueueThrowsAndStoresNothing(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> q.push(item("late"), LONG))
          .isInstanceOf(QueueInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(q.len()).isEqualTo(LENGTH);
  }

  private static void fill(BaseQueue q) {
    for (int i = 0; i < LENGTH; i++) {
      assertThat(q.push(item("item-" + i), SHORT)).isEqualTo(PushResult.ADDED);
    }
  }

  // ---- push, pushAll, offer, LENGTH, MAX_ITEM_SIZE -------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void offerReportsFullWithoutWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);

    assertThat(q.offer(item("late"))).isEqualTo(PushResult.FULL);
    assertThat(q.offer(item("item-0")))
        .isEqualTo(flavour.unique() ? PushResult.DUPLICATE : PushResult.FULL);
    assertThat(q.len()).isEqualTo(LENGTH);

    q.claim(1, SHORT);
    assertThat(q.offer(item("late"))).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void duplicatePushOnFullUniqueQueueReturnsAtOnce(Flavour flavour) {
    assumeTrue(flavour.unique());
    BaseQueue q = open(flavour);
    fill(q);

    // A LONG timeout: a duplicate must not wait for room.
    assertThat(q.push(item("item-3"), LONG)).isEqualTo(PushResult.DUPLICATE);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushAllAdmitsWhatFitsBeforeTheTimeout(Flavour flavour) {
    BaseQueue q = open(flavour);
    for (int i = 0; i < LENGTH - 2; i++) {
      pushAll(q, "old-" + i);
    }

    QueueFullException full = catchThrowableOfType(QueueFullException.class,
        () -> q.pushAll(List.of(item("n0"), item("n1"), item("n2"), item("n3")), SHORT));

    assertThat(full).isNotNull();
    assertThat(full.queue()).isEqualTo(q.name());
    assertThat(full.results()).containsExactly(PushResult.ADDED, PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    List<String> claimed = texts(claimAll(q));
    assertThat(claimed).endsWith("n0", "n1").doesNotContain("n2", "n3");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushAllRefusesATooLargeItemNamingItsIndexAndStoresNothing(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.maxItemSize(8));

    ItemTooLargeException tooLarge = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.pushAll(List.of(item("ok"), item("much too large"), item("ok2")), SHORT));

    assertThat(tooLarge).isNotNull();
    assertThat(tooLarge.getMessage()).contains("index 1").contains(q.name());
    assertThat(tooLarge.size()).isEqualTo("much too large".length());
    assertThat(tooLarge.limit()).isEqualTo(8);
    assertThat(q.len()).isZero();
    assertThat(q.has("ok".getBytes(UTF_8))).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushAllWithTwoCopiesOfOneItem(Flavour flavour) {
    BaseQueue q = open(flavour);

    List<PushResult> results = q.pushAll(List.of(item("a"), item("b"), item("a")), SHORT);

    if (flavour.unique()) {
      assertThat(results).containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.DUPLICATE);
      assertThat(texts(claimAll(q))).containsExactly("a", "b");
    } else {
      assertThat(results).containsExactly(PushResult.ADDED, PushResult.ADDED, PushResult.ADDED);
      assertThat(texts(claimAll(q))).containsExactly("a", "b", "a");
    }
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void tooLargeItemIsRefusedNamingSizeAndLimit(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.maxItemSize(8));

    assertThat(q.push(item("12345678"), SHORT)).isEqualTo(PushResult.ADDED);
    ItemTooLargeException push = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.push(item("123456789"), SHORT));
    ItemTooLargeException offer = catchThrowableOfType(ItemTooLargeException.class,
        () -> q.offer(item("123456789")));

    for (ItemTooLargeException e : List.of(push, offer)) {
      assertThat(e).isNotNull();
      assertThat(e.size()).isEqualTo(9);
      assertThat(e.limit()).isEqualTo(8);
      assertThat(e.getMessage()).contains("9").contains("8").contains(q.name());
    }
    assertThat(q.len()).isEqualTo(1);
    assertThat(q.has("123456789".getBytes(UTF_8))).isFalse();
  }

  @Test
  void sixteenThreadsPushingOneItemToAUniqueQueueAddItOnce() throws Exception {
    BaseQueue q = open(Flavour.UNIQUE);
    CountDownLatch start = new CountDownLatch(1);
    List<Background<PushResult>> producers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      producers.add(new Background<>("producer-" + i, () -> {
        start.await();
        return q.push(item("same"), LONG);
      }));
    }

    start.countDown();

    List<PushResult> results = new ArrayList<>();
    for (Background<PushResult> p : producers) {
      results.add(p.awaitResult());
    }
    assertThat(results).filteredOn(r -> r == PushResult.ADDED).hasSize(1);
    assertThat(results).filteredOn(r -> r == PushResult.DUPLICATE).hasSize(15);
    assertThat(q.len()).isEqualTo(1);
    assertThat(q.has("same".getBytes(UTF_8))).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void racingProducersNeverExceedLength(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    int producers = 8;
    int pushes = 2 * LENGTH;
    CountDownLatch start = new CountDownLatch(1);
    List<Background<List<PushResult>>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int first = p;
      running.add(new Background<>("producer-" + p, () -> {
        start.await();
        List<PushResult> mine = new ArrayList<>();
        for (int i = first; i < pushes; i += producers) {
          try {
            mine.add(q.push(item("item-" + i), SHORT));
          } catch (QueueFullException e) {
            mine.add(PushResult.FULL);
          }
        }
        return mine;
      }));
    }

    start.countDown();

    List<PushResult> results = new ArrayList<>();
    for (Background<List<PushResult>> p : running) {
      results.addAll(p.awaitResult());
    }
    assertThat(results).hasSize(pushes);
    assertThat(results).filteredOn(r -> r == PushResult.ADDED).hasSize(LENGTH);
    assertThat(results).filteredOn(r -> r == PushResult.FULL).hasSize(pushes - LENGTH);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(new HashSet<>(texts(claimAll(q)))).hasSize(LENGTH);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void racingProducersAndConsumersLoseNothingAndAckEachItemOnce(Flavour flavour)
      throws Exception {
    BaseQueue q = open(flavour);
    int producers = 4;
    int perProducer = 100;
    int total = producers * perProducer;
    Map<String, Integer> acked = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Background<Integer>> running = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      running.add(new Background<>("producer-" + p, () -> {
        start.await();
        for (int i = 0; i < perProducer; i++) {
          // LENGTH is small, so producers keep waiting for room the consumers free.
          assertThat(q.push(item("p" + id + "-" + i), LONG)).isEqualTo(PushResult.ADDED);
        }
        return perProducer;
      }));
    }
    for (int c = 0; c < 3; c++) {
      running.add(new Background<>("consumer-" + c, () -> {
        start.await();
        while (done.get() < total) {
          for (Delivery d : q.claim(5, SHORT)) {
            if (d.deliveryCount() == 0) {
              // Every item fails once, so releases race with pushes for the tail.
              assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
            } else {
              assertThat(q.ack(List.of(d))).containsExactly(Outcome.DONE);
              acked.merge(text(d.payload()), 1, Integer::sum);
              done.incrementAndGet();
            }
          }
        }
        return 0;
      }));
    }

    start.countDown();

    for (Background<Integer> b : running) {
      b.awaitResult();
    }
    assertThat(acked).hasSize(total);
    assertThat(acked.values()).containsOnly(1);
    assertThat(q.len()).isZero();
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void blockedProducerIsWokenByAClaim(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        new Background<>("producer", () -> q.push(item("late"), LONG)).awaitBlocked();

    assertThat(texts(claimN(q, 1))).containsExactly("item-0");

    assertThat(producer.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(texts(claimAll(q))).last().isEqualTo("late");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void blockedProducersAreWokenByRemoveAll(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> one =
        new Background<>("producer-1", () -> q.push(item("late-1"), LONG)).awaitBlocked();
    Background<PushResult> two =
        new Background<>("producer-2", () -> q.push(item("late-2"), LONG)).awaitBlocked();

    assertThat(q.removeAll()).isEqualTo(LENGTH);

    assertThat(one.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(two.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(2);
    assertThat(texts(claimAll(q))).containsExactlyInAnyOrder("late-1", "late-2");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void blockedProducerIsAdmittedAfterAConsumerClaimsAndAcks(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        new Background<>("producer", () -> q.push(item("late"), LONG)).awaitBlocked();

    // A consumer's whole cycle: claim frees the room (in flight is not waiting), ack settles.
    List<Delivery> got = claimN(q, 1);
    assertThat(q.ack(got)).containsExactly(Outcome.DONE);

    assertThat(producer.awaitResult()).isEqualTo(PushResult.ADDED);
    assertThat(q.len()).isEqualTo(LENGTH);
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void releaseUnclaimAndReplayAreAdmittedBeyondLength(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);
    List<Delivery> got = claimN(q, 4);
    for (int i = 0; i < 4; i++) {
      pushAll(q, "more-" + i);
    }
    assertThat(q.len()).isEqualTo(LENGTH);

    assertThat(q.release(got.get(0), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.release(got.get(1), Duration.ofSeconds(1))).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(got.get(2)))).containsExactly(Outcome.DONE);
    assertThat(q.deadLetter(got.get(3), "test")).isEqualTo(Outcome.DONE);
    assertThat(q.replayAllDead()).isEqualTo(1);

    assertThat(q.len()).isEqualTo(LENGTH + 4);
    assertThat(q.offer(item("late"))).isEqualTo(PushResult.FULL);
    clock().advance(Duration.ofSeconds(1));
    assertThat(claimAll(q)).hasSize(LENGTH + 4);
  }

  // ---- has ---------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void hasTellsExactlyWhetherTheIdentityIsWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    byte[] a = "a".getBytes(UTF_8);
    boolean u = flavour.unique();

    assertThat(q.has(a)).isFalse();
    pushAll(q, "a");
    assertThat(q.has(a)).isEqualTo(u);
    Delivery d = claimN(q, 1).get(0);
    assertThat(q.has(a)).as("in flight is not waiting").isFalse();
    assertThat(q.release(d, Duration.ofSeconds(1))).isEqualTo(Outcome.DONE);
    assertThat(q.has(a)).as("delayed is waiting").isEqualTo(u);
    clock().advance(Duration.ofSeconds(1));
    d = claimN(q, 1).get(0);
    assertThat(q.deadLetter(d, "test")).isEqualTo(Outcome.DONE);
    assertThat(q.has(a)).as("dead is not waiting").isFalse();
    assertThat(q.replayAllDead()).isEqualTo(1);
    assertThat(q.has(a)).isEqualTo(u);
    q.removeAll();
    assertThat(q.has(a)).isFalse();
  }

  @Test
  void hasUsesTheIdentityNotThePayload() {
    BaseQueue q = open(Flavour.UNIQUE);
    Item first = new Item("payload-1".getBytes(UTF_8), "key".getBytes(UTF_8));
    Item second = new Item("payload-2".getBytes(UTF_8), "key".getBytes(UTF_8));

    assertThat(q.push(first, SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.push(second, SHORT)).isEqualTo(PushResult.DUPLICATE);

    assertThat(q.has("key".getBytes(UTF_8))).isTrue();
    assertThat(q.has("payload-1".getBytes(UTF_8))).isFalse();
    assertThat(texts(claimAll(q))).containsExactly("payload-1");
  }

  // ---- fencing -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void secondAckIsStale(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    List<Delivery> got = claimN(q, 2);

    assertThat(q.ack(got)).containsExactly(Outcome.DONE, Outcome.DONE);
    assertThat(q.ack(got)).containsExactly(Outcome.STALE, Outcome.STALE);
    assertThat(q.ack(List.of(got.get(0), got.get(0))))
        .containsExactly(Outcome.STALE, Outcome.STALE);
    assertThat(q.stats().inFlight()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void ackAfterUnclaimIsStaleAndLeavesTheItemWaiting(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery d = claimN(q, 1).get(0);

    assertThat(q.unclaim(List.of(d))).containsExactly(Outcome.DONE);
    assertThat(q.ack(List.of(d))).containsExactly(Outcome.STALE);
    assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.STALE);
    assertThat(q.deadLetter(d, "late")).isEqualTo(Outcome.STALE);
    assertThat(q.unclaim(List.of(d))).containsExactly(Outcome.STALE);

    assertThat(q.len()).isEqualTo(1);
    assertThat(q.listDead(0, 10)).isEmpty();
    Delivery again = claimN(q, 1).get(0);
    assertThat(again.deliveryCount()).as("stale calls changed no count").isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void oldDeliveryIsStaleAfterTheItemWasReleasedAndClaimedAgain(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery first = claimN(q, 1).get(0);
    assertThat(q.release(first, Duration.ZERO)).isEqualTo(Outcome.DONE);
    Delivery second = claimN(q, 1).get(0);

    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(q.ack(List.of(first))).containsExactly(Outcome.STALE);
    assertThat(q.release(first, Duration.ZERO)).isEqualTo(Outcome.STALE);
    assertThat(q.stats().inFlight()).as("the new claim is untouched").isEqualTo(1);
    assertThat(q.ack(List.of(second))).containsExactly(Outcome.DONE);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void removeAllLeavesInFlightItemsAndTheirSettleCallsAlone(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c");
    List<Delivery> got = claimN(q, 2);

    assertThat(q.removeAll()).isEqualTo(1);

    assertThat(q.stats().inFlight()).isEqualTo(2);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.DONE);
    assertThat(q.release(got.get(1), Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.ack(List.of(got.get(0)))).containsExactly(Outcome.STALE);
    List<Delivery> back = claimN(q, 1);
    assertThat(texts(back)).containsExactly("b");
    assertThat(back.get(0).deliveryCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void deliveryIdsAreNeverReused(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Set<Long> ids = new HashSet<>();
    List<Delivery> old = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      List<Delivery> got = claimN(q, 2);
      for (Delivery d : got) {
        assertThat(ids.add(d.id())).as("id %d reused", d.id()).isTrue();
      }
      if (round % 2 == 0) {
        assertThat(q.unclaim(got)).containsOnly(Outcome.DONE);
      } else {
        for (Delivery d : got) {
          assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
        }
      }
      old.addAll(got);
    }
    assertThat(q.ack(old)).containsOnly(Outcome.STALE);
    assertThat(q.len()).isEqualTo(2);
  }

  // ---- release, delays, promotion ---------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void releaseWithoutDelayGoesToTheTailWithOneMoreDelivery(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery a = claimN(q, 1).get(0);
    Instant pushed = a.firstPushed();
    clock().advance(Duration.ofSeconds(5));

    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);

    List<Delivery> got = claimN(q, 2);
    assertThat(texts(got)).containsExactly("b", "a");
    assertThat(got.get(1).deliveryCount()).isEqualTo(1);
    assertThat(got.get(1).recoveryCount()).isZero();
    assertThat(got.get(1).firstPushed()).as("kept across retries").isEqualTo(pushed);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void releasedWithADelayItemIsClaimableOnlyOnceTheClockPassesItsDueTime(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    Delivery d = claimN(q, 1).get(0);

    assertThat(q.release(d, Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);

    assertThat(q.len()).isEqualTo(1);
    assertThat(q.stats().delayed()).isEqualTo(1);
    assertThat(q.claim(1, SHORT)).isEmpty();
    clock().advance(Duration.ofMillis(2999));
    assertThat(q.claim(1, SHORT)).isEmpty();
    clock().advance(Duration.ofMillis(1));
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).deliveryCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void pushedWithADelayItemWaitsForItsDueTime(Flavour flavour) {
    BaseQueue q = open(flavour);

    assertThat(q.push(item("later"), Duration.ofSeconds(2), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "now");

    assertThat(q.len()).isEqualTo(2);
    assertThat(texts(claimAll(q))).containsExactly("now");
    clock().advance(Duration.ofSeconds(2));
    List<Delivery> got = claimN(q, 1);
    assertThat(texts(got)).containsExactly("later");
    assertThat(got.get(0).deliveryCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void dueItemsArePromotedAtClaimByDueTimeThenDelayOrderAfterWhatIsReady(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "x", "y");
    List<Delivery> xy = claimN(q, 2);
    assertThat(q.push(item("a"), Duration.ofSeconds(5), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.release(xy.get(1), Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);
    assertThat(q.release(xy.get(0), Duration.ofSeconds(3))).isEqualTo(Outcome.DONE);
    assertThat(q.push(item("b"), Duration.ofSeconds(3), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "r");

    clock().advance(Duration.ofSeconds(10));
    // Pushed after the clock passed every due time, but before any claim promoted them.
    pushAll(q, "s");

    List<Delivery> got = claimAll(q);
    assertThat(texts(got)).containsExactly("r", "s", "y", "x", "b", "a");
    assertThat(got.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 1, 1, 0, 0);
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void waitingClaimReturnsADelayedItemOnceItFallsDue(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    assertThat(q.push(item("a"), Duration.ofSeconds(1), SHORT)).isEqualTo(PushResult.ADDED);
    Background<List<Delivery>> claimer =
        new Background<>("claimer", () -> q.claim(1, LONG)).awaitBlocked();

    clock().advance(Duration.ofSeconds(1));

    // Within PATIENCE although the claim may wait LONG: its wait is bounded by the due time.
    assertThat(texts(claimer.awaitResult())).containsExactly("a");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void waitingClaimIsWokenByAPush(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    for (int i = 0; i < 3; i++) {
      int n = i;
      Background<List<Delivery>> claimer =
          new Background<>("claimer-" + i, () -> q.claim(1, LONG)).awaitBlocked();

      pushAll(q, "wake-" + n);

      assertThat(texts(claimer.awaitResult())).containsExactly("wake-" + n);
    }
  }

  // ---- merge (unique) -----------------------------------------------------------------------

  @Test
  void releaseMergesIntoTheWaitingCopyWhichKeepsItsPlaceAndDueTime() {
    BaseQueue q = open(Flavour.UNIQUE);
    pushAll(q, "a");
    Delivery a = claimN(q, 1).get(0);
    pushAll(q, "b");
    assertThat(q.push(item("a"), SHORT)).as("in flight is not waiting").isEqualTo(PushResult.ADDED);
    pushAll(q, "c");

    // With a delay: the merged copy still keeps the waiting copy's due time (ready now).
    assertThat(q.release(a, Duration.ofSeconds(3))).isEqualTo(Outcome.MERGED);

    assertThat(q.len()).isEqualTo(3);
    assertThat(q.stats().delayed()).isZero();
    List<Delivery> got = claimAll(q);
    assertThat(texts(got)).containsExactly("b", "a", "c");
    assertThat(got.get(1).deliveryCount()).as("the larger delivery count").isEqualTo(1);
  }

  @Test
  void unclaimMergesKeepingTheLargerCountEitherWay() {
    BaseQueue q = open(Flavour.UNIQUE);
    // The waiting copy has the larger count.
    pushAll(q, "a");
    Delivery fresh = claimN(q, 1).get(0);
    pushAll(q, "a");
    Delivery copy = releasedTwice(q);
    assertThat(q.release(copy, Duration.ZERO)).isEqualTo(Outcome.DONE);
    assertThat(q.unclaim(List.of(fresh))).containsExactly(Outcome.MERGED);
    assertThat(q.len()).isEqualTo(1);
    Delivery merged = claimN(q, 1).get(0);
    assertThat(merged.deliveryCount()).isEqualTo(3);

    // The incoming copy has the larger count.
    pushAll(q, "a");
    assertThat(q.unclaim(List.of(merged))).containsExactly(Outcome.MERGED);
    assertThat(q.len()).isEqualTo(1);
    assertThat(claimN(q, 1).get(0).deliveryCount()).isEqualTo(3);
  }

  /** Claims the single waiting item, released and re-claimed twice: deliveryCount 2. */
  private static Delivery releasedTwice(BaseQueue q) {
    Delivery d = claimN(q, 1).get(0);
    for (int i = 0; i < 2; i++) {
      assertThat(q.release(d, Duration.ZERO)).isEqualTo(Outcome.DONE);
      d = claimN(q, 1).get(0);
    }
    assertThat(d.deliveryCount()).isEqualTo(2);
    return d;
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void replayMergesIntoAWaitingCopyOnAUniqueQueue(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a");
    assertThat(q.deadLetter(claimN(q, 1).get(0), "test")).isEqualTo(Outcome.DONE);
    pushAll(q, "a");
    Delivery copy = claimN(q, 1).get(0);
    assertThat(q.release(copy, Duration.ZERO)).isEqualTo(Outcome.DONE);

    assertThat(q.replayAllDead()).as("merged copies count as replayed").isEqualTo(1);

    assertThat(q.listDead(0, 10)).isEmpty();
    List<Delivery> got = claimAll(q);
    if (flavour.unique()) {
      assertThat(texts(got)).containsExactly("a");
      assertThat(got.get(0).deliveryCount()).as("the larger count: the waiting copy's")
          .isEqualTo(1);
    } else {
      assertThat(texts(got)).containsExactly("a", "a");
      assertThat(got.stream().map(Delivery::deliveryCount)).containsExactly(1, 0);
    }
  }

  // ---- unclaim -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void unclaimPutsItemsBackAtTheHeadInTheirOrderWithCountsUnchanged(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c", "d");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 2);
    assertThat(texts(got)).containsExactly("b", "c");
    pushAll(q, "e");

    assertThat(q.unclaim(got)).containsExactly(Outcome.DONE, Outcome.DONE);

    List<Delivery> all = claimAll(q);
    assertThat(texts(all)).containsExactly("b", "c", "d", "a", "e");
    assertThat(all.stream().map(Delivery::deliveryCount)).containsExactly(0, 0, 0, 1, 0);
    assertThat(all.stream().map(Delivery::recoveryCount)).containsOnly(0);
  }

  // ---- dead letters ------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void deadLettersAreListedNewestFirstWithPaging(Flavour flavour) {
    BaseQueue q = open(flavour);
    Instant t0 = clock().instant();
    pushAll(q, "a", "b", "c");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 3);
    assertThat(texts(got)).containsExactly("b", "c", "a");

    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(0), "reason-b")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(2), "reason-a")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.deadLetter(got.get(1), "reason-c")).isEqualTo(Outcome.DONE);

    List<DeadLetter> dead = q.listDead(0, 10);
    assertThat(dead).extracting(d -> text(d.payload())).containsExactly("c", "a", "b");
    assertThat(dead).extracting(DeadLetter::reason)
        .containsExactly("reason-c", "reason-a", "reason-b");
    assertThat(dead).extracting(DeadLetter::deliveryCount).containsExactly(0, 1, 0);
    assertThat(dead).extracting(DeadLetter::recoveryCount).containsOnly(0);
    assertThat(dead).extracting(DeadLetter::firstPushed).containsOnly(t0);
    assertThat(dead).extracting(DeadLetter::deadAt)
        .containsExactly(t0.plusSeconds(3), t0.plusSeconds(2), t0.plusSeconds(1));
    assertThat(dead).extracting(DeadLetter::id).doesNotHaveDuplicates();

    assertThat(q.listDead(1, 1)).extracting(DeadLetter::reason).containsExactly("reason-a");
    assertThat(q.listDead(2, 5)).extracting(DeadLetter::reason).containsExactly("reason-b");
    assertThat(q.listDead(3, 5)).isEmpty();
    assertThat(q.listDead(0, 0)).isEmpty();

    assertThat(q.deadLetter(got.get(0), "again")).isEqualTo(Outcome.STALE);
    StoreStats stats = q.stats();
    assertThat(stats.dead()).isEqualTo(3);
    assertThat(stats.inFlight()).isZero();
    assertThat(q.len()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void replayMovesDeadLettersToTheTailWithCountsReset(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> got = claimN(q, 2);
    assertThat(q.deadLetter(got.get(1), "a died")).isEqualTo(Outcome.DONE);
    assertThat(q.deadLetter(got.get(0), "b died")).isEqualTo(Outcome.DONE);
    long aId = q.listDead(1, 1).get(0).id();
    pushAll(q, "x");

    assertThat(q.replayDead(List.of(aId, Long.MAX_VALUE))).isEqualTo(1);

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("b died");
    assertThat(q.len()).isEqualTo(2);
    List<Delivery> back = claimAll(q);
    assertThat(texts(back)).containsExactly("x", "a");
    assertThat(back.get(1).deliveryCount()).isZero();
    assertThat(back.get(1).recoveryCount()).isZero();

    assertThat(q.replayAllDead()).isEqualTo(1);
    assertThat(q.replayAllDead()).isZero();
    assertThat(texts(claimAll(q))).containsExactly("b");
    assertThat(q.stats().dead()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void purgeDeletesDeadLettersByIdOrAll(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c");
    for (Delivery d : claimN(q, 3)) {
      assertThat(q.deadLetter(d, "died " + text(d.payload()))).isEqualTo(Outcome.DONE);
    }
    long bId = q.listDead(1, 1).get(0).id();

    assertThat(q.purgeDead(List.of(bId, Long.MAX_VALUE))).isEqualTo(1);
    assertThat(q.purgeDead(List.of(bId))).isZero();

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason)
        .containsExactly("died c", "died a");
    assertThat(q.purgeAllDead()).isEqualTo(2);
    assertThat(q.listDead(0, 10)).isEmpty();
    assertThat(q.stats().dead()).isZero();
    assertThat(q.len()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void deadLetterStoreDropsTheOldestAtItsCap(Flavour flavour) {
    BaseQueue q = open(flavour.unique(), s -> s.deadLetterLength(3));
    pushAll(q, "i0", "i1", "i2", "i3", "i4");
    for (Delivery d : claimN(q, 5)) {
      assertThat(q.deadLetter(d, "r-" + text(d.payload()))).isEqualTo(Outcome.DONE);
    }

    assertThat(q.listDead(0, 10)).extracting(DeadLetter::reason)
        .containsExactly("r-i4", "r-i3", "r-i2");
    StoreStats stats = q.stats();
    assertThat(stats.dead()).isEqualTo(3);
    assertThat(stats.deadDropped()).isEqualTo(2);
  }

  // ---- stats -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void statsCountEveryState(Flavour flavour) {
    BaseQueue q = open(flavour);
    assertThat(q.stats()).isEqualTo(new StoreStats(0, 0, 0, 0, 0, Optional.empty()));

    Instant t0 = clock().instant();
    pushAll(q, "a");
    clock().advance(Duration.ofSeconds(1));
    pushAll(q, "b");
    clock().advance(Duration.ofSeconds(1));
    assertThat(q.push(item("c"), Duration.ofSeconds(3), SHORT)).isEqualTo(PushResult.ADDED);
    pushAll(q, "d");
    List<Delivery> got = claimN(q, 1);

    StoreStats stats = q.stats();
    assertThat(stats.ready()).isEqualTo(2);
    assertThat(stats.delayed()).isEqualTo(1);
    assertThat(stats.inFlight()).isEqualTo(1);
    assertThat(stats.dead()).isZero();
    assertThat(stats.waiting()).isEqualTo(q.len());
    assertThat(stats.oldestWaiting()).contains(t0.plusSeconds(1));

    assertThat(q.deadLetter(got.get(0), "test")).isEqualTo(Outcome.DONE);
    clock().advance(Duration.ofSeconds(3));
    stats = q.stats();
    assertThat(stats.ready()).as("a due item is claimable now").isEqualTo(3);
    assertThat(stats.delayed()).isZero();
    assertThat(stats.inFlight()).isZero();
    assertThat(stats.dead()).isEqualTo(1);

    claimN(q, 3);
    assertThat(q.stats().oldestWaiting()).isEmpty();
    assertThat(q.stats().inFlight()).isEqualTo(3);
  }

  // ---- close -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void closeWakesBlockedProducersWithQueueClosed(Flavour flavour) {
    BaseQueue q = open(flavour);
    fill(q);
    Background<PushResult> producer =
        new Background<>("producer", () -> q.push(item("late"), LONG)).awaitBlocked();
    Background<List<PushResult>> batch = new Background<>("batch-producer",
        () -> q.pushAll(List.of(item("late-1"), item("late-2")), LONG)).awaitBlocked();

    q.close();

    assertThat(producer.awaitFailure()).isInstanceOf(QueueClosedException.class);
    assertThat(batch.awaitFailure()).isInstanceOf(QueueClosedException.class);
  }

  @EveryBackend
  @ParameterizedTest
  @EnumSource(Flavour.class)
  void closeWakesBlockedClaimersWithNothing(Flavour flavour) throws Exception {
    BaseQueue q = open(flavour);
    assertThat(q.push(item("delayed"), Duration.ofSeconds(1), SHORT)).isEqualTo(PushResult.ADDED);
    Background<List<Delivery>> one =
        new Background<>("claimer-1", () -> q.claim(1, LONG)).awaitBlocked();
    Background<List<Delivery>> two =
        new Background<>("claimer-2", () -> q.claim(1, LONG)).awaitBlocked();

    q.close();

    assertThat(one.awaitResult()).isEmpty();
    assertThat(two.awaitResult()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void closeIsIdempotentAndEveryLaterCallThrows(Flavour flavour) {
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b");
    Delivery d = claimN(q, 1).get(0);

    q.close();
    q.close();

    List<Runnable> calls = Arrays.asList(
        () -> q.push(item("x"), SHORT),
        () -> q.push(item("x"), Duration.ofSeconds(1), SHORT),
        () -> q.pushAll(List.of(item("x")), SHORT),
        () -> q.offer(item("x")),
        () -> q.claim(1, SHORT),
        () -> q.ack(List.of(d)),
        () -> q.release(d, Duration.ZERO),
        () -> q.unclaim(List.of(d)),
        () -> q.deadLetter(d, "late"),
        () -> q.has("a".getBytes(UTF_8)),
        q::len,
        q::removeAll,
        q::stats,
        () -> q.listDead(0, 10),
        () -> q.replayDead(List.of(1L)),
        q::replayAllDead,
        () -> q.purgeDead(List.of(1L)),
        q::purgeAllDead);
    for (int i = 0; i < calls.size(); i++) {
      Runnable call = calls.get(i);
      assertThatThrownBy(call::run).as("call #%d after close", i)
          .isInstanceOf(QueueClosedException.class)
          .hasMessageContaining(q.name());
    }
  }

  // ---- persistence (LevelDB, Redis) --------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void itemsAndDeadLettersSurviveAReopen(Flavour flavour) throws Exception {
    assumeTrue(fixture.backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(flavour);
    Instant t0 = clock().instant();
    pushAll(q, "dead", "a", "b");
    assertThat(q.push(item("later"), Duration.ofSeconds(2), SHORT)).isEqualTo(PushResult.ADDED);
    assertThat(q.deadLetter(claimN(q, 1).get(0), "reason")).isEqualTo(Outcome.DONE);
    q.close();

    BaseQueue again = fixture.reopen(q);

    assertThat(again.len()).isEqualTo(3);
    assertThat(again.has("later".getBytes(UTF_8))).isEqualTo(flavour.unique());
    assertThat(again.listDead(0, 10)).extracting(DeadLetter::reason).containsExactly("reason");
    List<Delivery> got = claimAll(again);
    assertThat(texts(got)).containsExactly("a", "b");
    assertThat(got).extracting(Delivery::firstPushed).containsOnly(t0);
    clock().advance(Duration.ofSeconds(2));
    assertThat(texts(claimAll(again))).containsExactly("later");
  }

  @ParameterizedTest
  @EnumSource(Flavour.class)
  void recoveredItemsComeBackAtTheHeadAndOldDeliveriesAreStale(Flavour flavour) throws Exception {
    assumeTrue(fixture.backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(flavour);
    pushAll(q, "a", "b", "c");
    Delivery a = claimN(q, 1).get(0);
    assertThat(q.release(a, Duration.ZERO)).isEqualTo(Outcome.DONE);
    List<Delivery> held = claimN(q, 2);
    assertThat(texts(held)).containsExactly("b", "c");
    pushAll(q, "d");

    fixture.backend().kill(q);
    BaseQueue again = fixture.reopen(q);

    assertThat(again.len()).isEqualTo(4);
    List<Delivery> first = again.claim(100, SHORT);
    assertThat(texts(first)).as("a recovered item comes alone").containsExactly("b");
    List<Delivery> second = again.claim(100, SHORT);
    assertThat(texts(second)).as("a recovered item comes alone").containsExactly("c");
    List<Delivery> got = new ArrayList<>(first);
    got.addAll(second);
    got.addAll(claimAll(again));
    assertThat(texts(got)).containsExactly("b", "c", "a", "d");
    assertThat(got).extracting(Delivery::recoveryCount).containsExactly(1, 1, 0, 0);
    assertThat(got).extracting(Delivery::deliveryCount).containsExactly(0, 0, 1, 0);
    assertThat(again.ack(held)).containsOnly(Outcome.STALE);
    assertThat(again.ack(got)).containsOnly(Outcome.DONE);
  }

  @Test
  void recoveryMergesIntoAWaitingCopyTakingTheLargerRecoveryCount() throws Exception {
    assumeTrue(fixture.backend().capabilities().persistent(), "persistent backends only");
    BaseQueue q = open(Flavour.UNIQUE);
    pushAll(q, "a");
    claimN(q, 1);
    pushAll(q, "a");

    fixture.backend().kill(q);
    BaseQueue again = fixture.reopen(q);

    assertThat(again.len()).isEqualTo(1);
    List<Delivery> got = claimAll(again);
    assertThat(texts(got)).containsExactly("a");
    assertThat(got.get(0).recoveryCount()).isEqualTo(1);
  }

}
