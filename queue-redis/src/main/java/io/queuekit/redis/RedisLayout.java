package io.queuekit.redis;

import static io.queuekit.redis.Entries.utf8;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueException;
import io.queuekit.spi.StoreNotFoundException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage layout of the {@code redis} backend, drawn once for {@link RedisQueue}, its scripts
 * (resources {@code io/queuekit/redis/*.lua}) and docs/DESIGN.md §3.8, and the opening of a
 * queue's keys: the layout checks and the migration from layout 1, run by the open script.
 *
 * <h2>Key layout (version 4)</h2>
 *
 * <p>{@code T} is the hash tag <code>{PREFIX + NAME + QUEUE_NAME}</code> (e.g. {@code {mail_queue}}),
 * so every key of a queue is in one cluster slot; queues spread over the shards. Every script
 * gets every key it touches in {@code KEYS}.
 *
 * <pre>
 * key                      type   holds
 * ───────────────────────  ─────  ────────────────────────────────────────────────────────────
 * T:ready                  list   entries, claimable now, head first, and pack references
 *                                 "P" k ":" firstPushedMs ":" packId, each standing for the k
 *                                 entries of one pack (an entry starts with a digit)
 * T:packs                  hash   packId → a pack: the entries of one push of a simple queue's
 *                                 ready items (at least 2, counts 0, one first-pushed time) as
 *                                 one MessagePack array; the id is drawn by the pushing client.
 *                                 Present while its reference waits or a claim of it is in
 *                                 flight
 * T:delayed                zset   waitingId ":" entry, score = due time (ms, queue clock); the
 *                                 id is 16 zero-padded digits, so members are distinct and
 *                                 equal due times keep admission order
 * T:firsts                 zset   first-pushed times (ms) of waiting items, member = score = ms,
 *                                 so the oldest waiting item is ZRANGE 0 0, without a scan
 * T:firstn                 hash   first-pushed ms → how many waiting items have it (a member
 *                                 of T:firsts exactly while its count is above 0)
 * T + SET_NAME part        hash   unique flavour: SHA-256 hex of the identity →
 *   (e.g. {mail_queue}_unique)    deliveries ":" recoveries, the larger counts of the waiting
 *                                 copy and of every copy merged into it (the claim applies
 *                                 them); one member per waiting item
 * T:inflight:&lt;consumer&gt;    hash   one per live consumer: "c" firstDid ":" n → a claim's n
 *                                 entries as one MessagePack array (delivery ids firstDid ..
 *                                 firstDid + n - 1); "r" firstDid ":" n → the reference of the
 *                                 one pack a claim took as it is; or delivery id → entry for
 *                                 one item (a claim exploded by a step that settles part of
 *                                 it, or layout 2's)
 * T:heartbeat:&lt;consumer&gt;   string present while the consumer lives; value = its PX:
 *                                 CONSUMER_TIMEOUT while busy, longer while idle
 * T:consumers              hash   consumer id → "host pid" (registered waiters)
 * T:busy                   set    consumers that took items and have not rested since (the
 *                                 ones whose death loses items: every beat watches them)
 * T:leases                 zset   GLOBAL_MAX_WORKERS only (absent while the cap is off): one
 *                                 member per claim with items in flight, firstDid ":" left ":"
 *                                 consumer, score = the claim's last delivery id; a claim at N
 *                                 members takes nothing; deleted with the claim's last settle
 *                                 or its consumer's recovery (docs/DESIGN.md §3.12)
 * T:wake                   list   wake tokens, at most one per waiter: one per item made ready,
 *                                 one per item a claim left ready, one when a delayed item
 *                                 becomes the earliest
 * T:room                   list   room tokens for producers waiting on a full queue
 * T:dead                   zset   dead letters, score = dead-letter id
 * T:meta                   hash   version=4, flavour=simple|unique, seq (id counter: waiting ids
 *                                 of delayed items, delivery and dead-letter ids, never
 *                                 reused), deaddropped, full (a producer waits for room),
 *                                 roomwatchers, packed (the entries T:ready's references stand
 *                                 for beyond one each: LLEN plus packed is the ready count)
 * T:promoter               string lease of the one process that wakes a waiter when a delayed
 *                                 item falls due (SET NX PX, CONSUMER_TIMEOUT; renewed once per
 *                                 heartbeat period while delayed items wait, else left to lapse)
 *
 * entry        = deliveries ":" recoveries ":" firstPushedMs ":" digestHex ":" payload
 * dead letter  = id ":" deliveries ":" recoveries ":" firstPushedMs ":" deadAtMs ":" digestHex
 *                ":" reasonBytes ":" reason payload
 * </pre>
 *
 * <p>Per item, a push is one list (or delayed set) write, plus on a unique queue one unique-set
 * write; a batch shares its commands, its id draw and its first-pushed count. A claim is one pop
 * per item (plus reading and deleting its unique-set member), in one {@code LRANGE}/{@code LTRIM}
 * per claim, and one in-flight write per claim: its entries packed into one field by the server's
 * {@code cmsgpack}, one delivery-id draw per claim (the batch's ids are the sequence's last
 * values) and one first-pushed count per distinct first-pushed ms. An ack of a whole claim is one
 * {@code HDEL} of its field, named without its ids; a step that settles part of a claim (an ack
 * of some of its items, a release, a dead-letter, an unclaim) first explodes the field into one
 * field per entry (delivery id → entry: the claim's entries are read and written once) and then
 * deletes per id, whose answer tells done from stale. The beat's sweep leaves a claim held whole
 * as it is, gives back one no delivery holds, and explodes only one held in part; recovery and
 * the census read a claim's field as its entries. The counts of a
 * unique copy merged into a waiting one live in the unique set until that copy is claimed: no
 * read of a waiting entry shows counts, so the claim is the first step that needs them.
 *
 * <p>Layout 4 keeps a simple queue's multi-item push of ready items out of the server's Lua
 * altogether: the client packs the entries ({@link Packs}) and writes the pack with an {@code
 * HSET} in the push's transaction (cut to the size of this process's claims, when it claims
 * too), and the push script appends one reference. A claim whose
 * batch is one pack (exactly its max entries, or all that is ready: a push of {@code
 * BATCH_LENGTH} items meets a claim of as many) takes the reference as it is into its field, so neither the push nor the claim makes the entries Lua
 * strings (which this server hashes byte by byte); the client reads the pack with one {@code HGET}
 * (sent with the claim, when the claim before named it as next at the head), and the ack of the whole claim deletes the field and the pack. Any other step
 * that meets a reference reads the pack: a claim that combines it with other entries (or takes
 * part of it, giving the rest back to the head one entry each), a step that settles part of the
 * claim (exploding it as above), the sweep and recovery.
 *
 * <p>Besides that, every script call pays a fixed part, kept to a few O(1) reads: a claim checks
 * the consumer's registration, reads the earliest due time once (promoting only when it has
 * come; it is also the due time the claim returns), counts what it left ready only when it took
 * a full batch, and looks for a waiting producer ({@code meta.full}) only when it took items;
 * a wake is one {@code HLEN} of the registry and, when someone is registered, one {@code LLEN}
 * of the wake list and at most one {@code RPUSH}.
 *
 * <p>Invariant, checked by the multi-process test every 100 ms: {@code LLEN T:ready + ZCARD
 * T:delayed == HLEN} of the unique set on a unique queue. Opening a queue whose meta says a newer
 * version or the other flavour, or whose keys hold another type, is an error naming the key.
 *
 * <p><b>Layout 1</b> (before this version) kept waiting ids in {@code T:ready} and {@code
 * T:delayed}, the entries in a hash {@code T:items} (waiting id → entry), their first-pushed
 * times in a zset {@code T:pushed} (score = ms, member = waiting id), and waiting ids as the
 * unique set's values; in-flight hashes, dead letters and meta were as above with version=1.
 * Opening a layout-1 queue migrates it, in steps of {@link #MIGRATION_STEP} items, each one
 * run of the open script: a step moves items from the head of layout 1's ready list, then from
 * the start of its delayed set, into {@code T:ready:migrating}, {@code T:delayed:migrating} and
 * the unique set's name + {@code :migrating} (as layout-2 entries with their counts; the
 * first-pushed counts go straight to {@code T:firsts}/{@code T:firstn}), deleting what it moved
 * from layout 1's keys; the last step renames the {@code :migrating} keys over layout 1's and
 * drops {@code T:items} and {@code T:pushed}. Meta says version=2 and migrating=1 from the first
 * step until the last, and {@code open} returns only after the last. So between steps every
 * item is in exactly one place, a process that dies mid-way leaves whole steps behind and the
 * next opener carries on, and two openers at once share the steps. Stop processes running
 * layout 1 first: they refuse to open a queue marked version 2, but one already running keeps
 * writing layout 1 and does not re-read the version.
 *
 * <p><b>Layout 2</b> kept one in-flight field per item (delivery id → entry); layout 3 reads
 * such fields as they are (they are what an exploded claim leaves), so opening a layout-2 queue
 * only raises meta's version to 3, so that layout-2 processes refuse to open it (one would take a
 * claim's field for a malformed entry). The same caveat holds: stop layout-2 processes first.
 * Layout 3 → 4 also changes no key (it adds {@code T:packs} and references in the ready list,
 * which a layout-3 process would dead-letter as malformed entries), so opening only raises the
 * version; stop layout-3 processes first.
 * A tool opening an existing queue ({@code Open.EXISTING}) leaves the version as it is.
 *
 * <p><b>Thread-safety:</b> stateless; openers of one queue may run at once (they share the
 * migration steps). <b>Ordering:</b> a migration step keeps the items' order. <b>Durability:</b>
 * each step is one script; a process that dies mid-way leaves whole steps behind.
 */
final class RedisLayout {
  private static final Logger log = LoggerFactory.getLogger(RedisQueue.class);

  static final int LAYOUT_VERSION = 4;
  /** Items one step of the layout 1 migration moves: one script, about 0.1 s on a busy server. */
  static final int MIGRATION_STEP = 5_000;

  private RedisLayout() {}

  /**
   * Opens a queue's keys: runs the open script's checks and, on a layout-1 queue, the migration
   * steps until the last; then warns once about a list Gitea's own queue left. Returns whether
   * the queue is unique: {@code unique}, or with {@code existing} the stored flavour.
   *
   * @param existing open only a queue whose keys exist, as its stored flavour ({@code unique} is
   *     not used); an absent one is a {@link StoreNotFoundException} and nothing is written
   * @throws io.queuekit.QueueConfigException for a key of another type, a newer (or malformed)
   *     layout version or the other flavour, naming the key and the address
   */
  static boolean open(String name, boolean unique, boolean existing, RedisCalls calls,
      SharedClient shared, RedisKeys keys, String giteaList) {
    calls.durable.check(calls);
    long migrated = 0;
    boolean more = true;
    String flavour = existing ? "" : unique ? "unique" : "simple";
    while (more) {
      List<Object> r = calls.openStep(flavour, existing);
      long code = (Long) r.get(0);
      if (code == 5) {
        throw new StoreNotFoundException("queue \"" + name + "\": no store: Redis at "
            + calls.where() + " holds no key " + keys.meta + "; nothing was created. Check the "
            + "queue's name, QUEUE_NAME and CONN_STR (its database and prefix)");
      }
      if (code == 6) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " records no flavour (simple or unique); nothing was changed. "
            + "Opening it from its service records it");
      }
      if (code == 1) {
        int index = ((Long) r.get(1)).intValue();
        throw calls.wrongType(index, utf8(r.get(2)));
      }
      if (code == 2) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " says layout version " + utf8(r.get(1)) + ", newer than this "
            + "version's " + LAYOUT_VERSION + "; upgrade queuekit");
      }
      if (code == 4) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " holds layout version \"" + utf8(r.get(1)) + "\", which is not a "
            + "number (another program wrote it); nothing was changed: fix the field or remove "
            + "the queue's keys");
      }
      if (code == 3) {
        throw new QueueConfigException("queue \"" + name + "\": " + keys.meta + " at "
            + calls.where() + " holds a " + utf8(r.get(1)) + " queue but it is opened as "
            + (unique ? "unique" : "simple") + "; open it as " + utf8(r.get(1)) + ", or give "
            + "the new queue another name or QUEUE_NAME. Nothing was changed");
      }
      long m = (Long) r.get(1);
      migrated += Math.max(0, m);
      more = (Long) r.get(2) == 1;
      flavour = utf8(r.get(3));
      if (m >= 0 && !more) {
        log.info("queue \"{}\": migrated the keys {}:* at {} from layout version 1 to {} (this "
            + "process moved {} waiting items)", name, keys.tag, calls.where(), LAYOUT_VERSION,
            migrated);
      }
    }
    warnAboutGiteaList(name, calls, shared, keys, giteaList);
    return flavour.equals("unique");
  }

  /**
   * Gitea's own Redis queue kept a plain list at {@code PREFIX + NAME + QUEUE_NAME} (no braces);
   * items left there by Gitea are not read by this layout, so say so once, at open.
   */
  private static void warnAboutGiteaList(String name, RedisCalls calls, SharedClient shared,
      RedisKeys keys, String legacy) {
    try {
      String type = calls.get(shared.async.type(RedisKeys.b(legacy)), "open");
      if ("list".equals(type)) {
        long n = calls.get(shared.async.llen(RedisKeys.b(legacy)), "open");
        log.warn("queue \"{}\": Redis at {} has a list {} with {} items, the layout of Gitea's "
            + "redis queue; this queue uses the keys {}:* and does not read it. Push those items "
            + "again (or delete the list) once Gitea no longer runs", name, calls.where(), legacy,
            n, keys.tag);
      }
    } catch (QueueException e) {
      log.debug("queue \"{}\": could not look for Gitea's list {}: {}", name, legacy, e.getMessage());
    }
  }
}
