package io.queuekit.spi;

import io.queuekit.ItemTooLargeException;
import io.queuekit.PushResult;
import io.queuekit.QueueClosedException;
import io.queuekit.QueueFullException;
import io.queuekit.QueueHealth;
import io.queuekit.QueueInterruptedException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A byte-level FIFO store for one named queue: the contract every backend ({@code channel},
 * {@code level}, {@code redis}, {@code dummy}) implements and the conformance suite checks. Ports
 * the {@code baseQueue} interface of Gitea's {@code modules/queue/base.go}, with claim/settle in
 * place of Gitea's destructive pop.
 *
 * <h2>States</h2>
 *
 * <pre>
 *   push ──► ready ◄──── release(0) / unclaim (head) / recovery (head) / replay
 *     │        │  ▲
 *     │        │  └── due (promoted lazily by claim, by due time then release order)
 *     ▼        ▼  │
 *   (delay)  claim     delayed ◄── release(d &gt; 0)
 *              │
 *              ▼
 *          in flight ──ack──► gone
 *              └──deadLetter──► dead ──replay──► ready (counts reset)
 * </pre>
 *
 * <em>Waiting</em> = ready + delayed; {@link #len()} reports it exactly.
 *
 * <h2>Rules every backend keeps</h2>
 *
 * <ul>
 *   <li><b>Atomic.</b> Each call is one atomic step in the store (a LevelDB write batch, a Redis
 *       script): no observer ever sees an item counted but missing, or a unique member without its
 *       item.
 *   <li><b>Unique.</b> On a unique queue every move into waiting (push, pushAll, release, unclaim,
 *       recovery, replay) checks the unique set in the same step. A copy whose identity is already
 *       waiting is merged: not stored; the waiting copy keeps its position and due time and takes
 *       the larger delivery and recovery counts. In-flight and dead items are not in the set.
 *   <li><b>Length.</b> Only push waits for room ({@code LENGTH} waiting items). Release, unclaim,
 *       recovery and replay are always admitted; an admitted item is never dropped for lack of
 *       room. Room freed by claim, ack or removeAll wakes waiting producers; nobody polls.
 *   <li><b>Fencing.</b> A {@link Delivery#id()} names one claim of one item and is never reused.
 *       Settle calls act only on an item still in flight under that id; otherwise they change
 *       nothing and return {@link Outcome#STALE}.
 *   <li><b>Time.</b> Every stored time comes from the queue's injected clock ({@link
 *       BaseQueueConfig#clock()}); waits for room and for items are real-time bounded.
 *   <li><b>Size.</b> Items over {@code MAX_ITEM_SIZE} bytes are refused with {@link
 *       ItemTooLargeException} and nothing is stored.
 * </ul>
 *
 * <p><b>Thread-safety:</b> every method may be called from any thread, concurrently. One instance
 * serves one named queue in one process.
 *
 * <p><b>Interruption:</b> a blocking call whose thread is interrupted (or called with the flag
 * set) throws {@link QueueInterruptedException} with the flag restored, having changed nothing
 * ({@code pushAll} keeps the items it admitted before the interrupt).
 *
 * <p><b>After close:</b> every call throws {@link QueueClosedException}, except {@link #close()}
 * which is idempotent.
 */
public interface BaseQueue extends AutoCloseable {

  /** How a {@code WorkerPoolQueue} drives this backend. */
  enum Mode {
    /** A real store: items wait and workers claim them. */
    STORED,
    /** {@code dummy}: push discards, claim never returns anything. */
    DISCARDING,
    /** {@code immediate}: the worker pool calls the handler in the pushing thread. */
    IMMEDIATE
  }

  /** The queue's name (not the storage name). */
  String name();

  /** Whether this is the unique flavour. */
  boolean unique();

  /** How the worker pool drives this backend; {@link Mode#STORED} unless a dummy. */
  default Mode mode() {
    return Mode.STORED;
  }

  /**
   * Appends an item, waiting up to {@code timeout} for room while {@code LENGTH} items are waiting.
   *
   * @param delay zero: ready at the tail at once; positive: delayed until now + delay
   * @return {@link PushResult#ADDED}, or {@link PushResult#DUPLICATE} when a unique queue already
   *     has the identity waiting (returned at once, without waiting for room)
   * @throws QueueFullException the timeout passed with the queue still full; nothing stored
   * @throws ItemTooLargeException the payload exceeds {@code MAX_ITEM_SIZE}; nothing stored
   */
  PushResult push(Item item, Duration delay, Duration timeout);

  /** {@link #push(Item, Duration, Duration)} with no delay. */
  default PushResult push(Item item, Duration timeout) {
    return push(item, Duration.ZERO, timeout);
  }

  /**
   * Appends items in order. Checks every size first: one too large fails naming its index and
   * stores nothing. Then admits the items one by one, each atomically, waiting for room between
   * items until {@code timeout} (shared by the whole batch). A second copy of the same identity in
   * one batch is {@link PushResult#DUPLICATE}.
   *
   * @return one result per item, in order
   * @throws QueueFullException at the timeout, carrying the results so far; those items stay
   *     admitted
   * @throws QueueInterruptedException interrupted while waiting for room between items: unlike
   *     other blocking calls this may have changed something, since the items admitted before the
   *     interrupt stay admitted (a consumer may already have claimed them)
   */
  List<PushResult> pushAll(List<Item> items, Duration timeout);

  /** Appends an item if there is room now; never waits. Returns ADDED, DUPLICATE or FULL. */
  PushResult offer(Item item);

  /**
   * Promotes every delayed item due at the clock's now (by due time, then release order) to the
   * tail, then moves up to {@code max} ready items from the head to in flight. Blocks until an item
   * is ready or {@code wait} passes; a queue with delayed items bounds the wait by the earliest due
   * time. Returns an empty list on timeout or when the queue is closed while waiting.
   *
   * <p>A claim hands out <b>at most one recovered item</b> (recovery count &gt; 0, merged counts
   * included): when one is at the head it comes alone; otherwise the batch stops before the first
   * one. A store that handed out several would let a crash in the window before the pool gives
   * the extras back count a recovery for items no handler ran, until innocent items were
   * quarantined as poison (docs/DESIGN.md §3.2, §3.6).
   */
  List<Delivery> claim(int max, Duration wait);

  /**
   * A hint: the caller's next {@link #claim} asks for {@code max}, and it has room for that many
   * more deliveries. A store whose claim is a round trip may send it now, so its reply is on the
   * way while the caller hands out the batch before; the next claim then answers with what that
   * one took (at most its own {@code max}: the rest goes back as {@link #unclaim} gives it), and
   * asks the store only if it took nothing. Deliveries a store took ahead are in flight as
   * claimed ones are; at {@link #close} before the next claim, the store gives them back as
   * {@link #unclaim} does (counts unchanged). Never blocks.
   *
   * @return whether a claim was sent ahead (the caller's next claim collects it even while
   *     paused, to give it back); the default sends none and returns false
   */
  default boolean claimAhead(int max) {
    return false;
  }

  /** Done: deletes the items. One outcome per delivery, in order ({@code DONE} or {@code STALE}). */
  List<Outcome> ack(List<Delivery> deliveries);

  /**
   * Not handled: delivery count + 1, then waiting again: delayed until now + delay, or ready at the
   * tail at once when delay is zero. Durable where the backend is. Never holds a thread.
   *
   * @return {@code DONE}, {@code MERGED} (unique, identity already waiting) or {@code STALE}
   */
  Outcome release(Delivery delivery, Duration delay);

  /**
   * Gives deliveries back to the head, in their original order, counts unchanged: for deliveries no
   * handler finished (shutdown, failed dispatch).
   */
  List<Outcome> unclaim(List<Delivery> deliveries);

  /** Moves an in-flight item to the dead-letter store with {@code reason}. */
  Outcome deadLetter(Delivery delivery, String reason);

  /**
   * Unique flavour: true iff an item with this identity is waiting, exactly. Simple flavour: always
   * false.
   */
  boolean has(byte[] identity);

  /** Waiting items (ready + delayed), exactly. */
  long len();

  /**
   * Deletes every waiting item and the unique set; leaves in-flight items alone (their settle calls
   * keep working); wakes waiting producers.
   *
   * @return the number of items removed
   */
  long removeAll();

  /** The store's counts for this queue, over every process using it. */
  StoreStats stats();

  /**
   * The consumers the store sees claiming from this queue, over every process, for {@code
   * health()}; empty (the default) when the backend does not track them. Called once per health
   * check: a backend answers from what it reads anyway, not with a round trip per consumer.
   */
  default Optional<QueueHealth.Consumers> consumers() {
    return Optional.empty();
  }

  /** Dead letters, newest first, skipping {@code offset}, at most {@code limit}. */
  List<DeadLetter> listDead(int offset, int limit);

  /**
   * The dead letters among {@code ids} that exist now, oldest first (ascending id); an id no dead
   * letter holds is left out. Lets a replay or purge by id name the ids it did not find without
   * reading the whole dead-letter store. The default pages through {@link #listDead} until every
   * id is found or the list ends; a backend that can look a dead letter up by id overrides it.
   */
  default List<DeadLetter> findDead(Collection<Long> ids) {
    Set<Long> wanted = new HashSet<>(ids);
    TreeMap<Long, DeadLetter> found = new TreeMap<>();
    int page = 500;
    for (int offset = 0; found.size() < wanted.size(); offset += page) {
      List<DeadLetter> dead = listDead(offset, page);
      for (DeadLetter d : dead) {
        if (wanted.contains(d.id())) {
          found.put(d.id(), d);
        }
      }
      if (dead.size() < page) {
        break;
      }
    }
    return List.copyOf(found.values());
  }

  /**
   * Moves the named dead letters to the tail of the queue, delivery and recovery counts reset.
   * Unknown ids are ignored. Returns how many were moved (merged copies included).
   */
  long replayDead(Collection<Long> ids);

  /** Replays every dead letter. */
  long replayAllDead();

  /** Deletes the named dead letters; unknown ids are ignored. Returns how many were deleted. */
  long purgeDead(Collection<Long> ids);

  /** Deletes every dead letter. */
  long purgeAllDead();

  /**
   * Closes the queue: wakes threads blocked in push (they throw {@link QueueClosedException}) and
   * claim (they return nothing), waits for operations in progress, then releases shared resources
   * by reference count. Idempotent.
   */
  @Override
  void close();
}
