package io.queuekit;

import io.queuekit.internal.Typos;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every key a queue reads from {@code [queue]} and {@code [queue.NAME]}, with its default and
 * meaning. The README's settings table is checked against this enum by a test, so the two never
 * disagree.
 */
public enum Setting {
  TYPE(Kind.STRING, "level",
      "a type a backend on the class path serves: `level` (aliases `leveldb`, `levelqueue`), `channel`, `redis`, `postgres` (alias `postgresql`), `dummy`, `immediate`, or a plugged-in backend's; case-sensitive; old Gitea names (`unique-level`, `persistable-channel`, …) are read as what they meant, with a warning"),
  DATADIR(Kind.STRING, "queues/common",
      "LevelDB directory; relative paths resolve against the data path; queues with the same directory share one DB"),
  CONN_STR(Kind.STRING, "",
      "LevelDB `leveldb://path?options`; Redis `redis://`, `rediss://`, `redis+socket://`, `redis+sentinel://`, `redis+cluster://`, `?prefix=`; PostgreSQL `postgres://USER:PASSWORD@HOST:PORT/DB` or `jdbc:postgresql://…`, `?schema=` (default `public`), `?pool=` (2–200, default 10), other parameters (`sslmode`, …) to pgjdbc"),
  LENGTH(Kind.INT, "100000", "waiting items before push waits for room (≤ 0: default)"),
  QUEUE_NAME(Kind.STRING, "_queue", "storage name suffix: `NAME` + `QUEUE_NAME`"),
  SET_NAME(Kind.STRING, "_unique", "unique set suffix: `NAME` + `QUEUE_NAME` + `SET_NAME`"),
  BATCH_LENGTH(Kind.INT, "20", "a batch is dispatched when it holds this many items (≤ 0: default)"),
  BATCH_DEBOUNCE(Kind.DURATION, "100ms", "…or this long after its first item"),
  MAX_WORKERS(Kind.INT, "cores/2, 1..10",
      "workers start on demand up to this cap; changeable at run time (≤ 0: default)"),
  GLOBAL_MAX_WORKERS(Kind.INT, "0",
      "Redis: at most this many batches of the queue claimed and not yet settled (in handlers or about to be) across all processes, counted in Redis and freed when a batch's last item is settled or its consumer dies (a batch `HANDLER_TIMEOUT` releases is settled, even while its handler ignores the interrupt and still runs); other types refuse a value above 0 (0: off)"),
  WORKER_IDLE_TIMEOUT(Kind.DURATION, "1s", "an idle worker exits, except the last one"),
  PUSH_TIMEOUT(Kind.DURATION, "5s", "how long push waits for room"),
  SHUTDOWN_TIMEOUT(Kind.DURATION, "2s", "how long running handlers get at shutdown"),
  HANDLER_TIMEOUT(Kind.DURATION, "0", "a handler running longer is interrupted and its batch released (0: none)"),
  RETRY_DELAY(Kind.DURATION, "1s", "first backoff for unhandled items (0: retry at once)"),
  RETRY_DELAY_MAX(Kind.DURATION, "5m", "backoff cap"),
  MAX_DELIVERIES(Kind.INT, "0", "when n > 0 the handler sees an item at most n times, then it is dead-lettered (0: unlimited)"),
  MAX_RECOVERIES(Kind.INT, "3", "the item in flight during this many crashes is dead-lettered as poison (0: never)"),
  SYNC(Kind.BOOL, "false", "LevelDB: sync each write to disk"),
  CONSUMER_TIMEOUT(Kind.DURATION, "30s", "Redis, PostgreSQL: silence after which a consumer's in-flight items are recovered, within one heartbeat period (a third of it) more (≥ 1s). Redis: an idle consumer (holding nothing) beats once per two of it; one beat per process for all its queues"),
  DURABILITY(Kind.STRING, "none", "Redis: what a push or settle waits for before it returns: `none`, `aof` (`WAITAOF 1 0`: the server's append-only file fsynced; Redis ≥ 7.2 or Valkey), `replica` or `replicas=N` (`WAIT N`: N replicas have the write); not with `redis+cluster://`; other types refuse all but `none`"),
  DEAD_LETTER_LENGTH(Kind.INT, "10000", "cap of the dead-letter store; entries dropped at the cap are logged and counted"),
  MAX_ITEM_SIZE(Kind.SIZE, "1MiB", "larger items are refused at push");

  /** How a value is written. */
  public enum Kind { STRING, INT, BOOL, DURATION, SIZE }

  private final Kind kind;
  private final String defaultText;
  private final String description;

  Setting(Kind kind, String defaultText, String description) {
    this.kind = kind;
    this.defaultText = defaultText;
    this.description = description;
  }

  /** The INI key, e.g. {@code BATCH_LENGTH}. */
  public String key() {
    return name();
  }

  public Kind kind() {
    return kind;
  }

  /** The default as the README writes it. */
  public String defaultText() {
    return defaultText;
  }

  /** One line on what the key does. */
  public String description() {
    return description;
  }

  /**
   * The setting whose key equals {@code key} ignoring case. Gitea matches keys exactly; the
   * config check uses this to spot a key written in the wrong case.
   */
  public static Optional<Setting> byKey(String key) {
    String upper = key.trim().toUpperCase(Locale.ROOT);
    for (Setting s : values()) {
      if (s.name().equals(upper)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * The known key closest to {@code key} by edit distance, for "did you mean" warnings; empty when
   * even the closest is too far to be a typo (more than two edits, or a third of the longer
   * name):
   * {@code ISSUE_INDEXER_QUEUE_TYPE} under {@code [queue]} is not a misspelt {@code QUEUE_NAME}.
   */
  public static Optional<Setting> closest(String key) {
    return Typos.closest(key.trim().toUpperCase(Locale.ROOT), List.of(values()), Setting::name);
  }
}
