package io.queuekit.redis;

import io.queuekit.QueueConfigException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key names of one queue (see the layout table on {@link RedisQueue}). Every key starts with
 * the hash tag {@code {PREFIX + NAME + QUEUE_NAME}}, so all of a queue's keys live in one cluster
 * slot and every script may touch them together.
 *
 * <p><b>Thread-safety:</b> safe for any number of threads: the names are immutable, and the key
 * arrays it hands out are shared, never written.
 */
final class RedisKeys {
  /**
   * The standard {@code KEYS} of every script, in order; see {@code prelude.lua}. {@code items}
   * and {@code pushed} are layout 1's, read only to migrate it.
   */
  static final String[] NAMES = {"ready", "delayed", "items", "unique", "meta", "wake", "room",
      "consumers", "dead", "inflight", "heartbeat", "pushed", "firsts", "firstn", "busy",
      "leases", "packs"};

  /** The open script's {@code KEYS} after the standard ones: where layout 1 migrates to. */
  static final String[] MIGRATION_NAMES = {"migrating ready", "migrating delayed",
      "migrating unique"};

  static {
    if (Scripts.KEY_TYPES.size() != NAMES.length + MIGRATION_NAMES.length) {
      throw new IllegalStateException("prelude.lua's TYPES has " + Scripts.KEY_TYPES.size()
          + " entries for the open script's " + (NAMES.length + MIGRATION_NAMES.length)
          + " keys (RedisKeys.NAMES, then MIGRATION_NAMES)");
    }
  }

  final String tag;
  final String ready;
  final String delayed;
  final String items;
  final String unique;
  final String meta;
  final String wake;
  final String room;
  final String consumers;
  final String dead;
  final String promoter;
  final String pushed;
  final String firsts;
  final String firstn;
  final String busy;
  final String leases;
  final String packs;
  /** {@link #script}'s array for no consumer (pushes, counts). */
  private final byte[][] noConsumer;
  /**
   * {@link #script}'s array for the consumer asked for last: an instance claims and settles under
   * one consumer id at a time, so its scripts (three per batch) share one array rather than each
   * encoding the 17 key names again.
   */
  private volatile ScriptKeys lastScript;

  private record ScriptKeys(String consumer, byte[][] keys) {}

  /**
   * @throws QueueConfigException when the name, QUEUE_NAME, SET_NAME or prefix holds a brace:
   *     the braces delimit the hash tag, so a brace inside would split the queue across slots
   */
  RedisKeys(String queue, String prefix, String queueFullName, String setFullName) {
    check(queue, "queue name", queue);
    check(queue, "QUEUE_NAME/SET_NAME storage name", setFullName);
    check(queue, "prefix", prefix);
    this.tag = "{" + prefix + queueFullName + "}";
    this.ready = tag + ":ready";
    this.delayed = tag + ":delayed";
    this.items = tag + ":items";
    // Gitea's unique set is NAME+QUEUE_NAME+SET_NAME; the part after the queue's full name
    // follows the hash tag so the set shares the queue's slot
    this.unique = tag + setFullName.substring(queueFullName.length());
    this.meta = tag + ":meta";
    this.wake = tag + ":wake";
    this.room = tag + ":room";
    this.consumers = tag + ":consumers";
    this.dead = tag + ":dead";
    this.promoter = tag + ":promoter";
    this.pushed = tag + ":pushed";
    this.firsts = tag + ":firsts";
    this.firstn = tag + ":firstn";
    this.busy = tag + ":busy";
    this.leases = tag + ":leases";
    this.packs = tag + ":packs";
    checkUnique(queue, setFullName.substring(queueFullName.length()));
    this.noConsumer = scriptKeys(null);
  }

  /**
   * Refuses a SET_NAME that makes the unique set one of the queue's other keys ({@code :meta}
   * would have a purge delete the delivery-id sequence; {@code :ready} would have a push write
   * its entries to a hash): each key of a queue must be its own.
   */
  private void checkUnique(String queue, String setName) {
    List<String> others = new ArrayList<>(List.of(ready, delayed,
        items, meta, wake, room, consumers, dead, promoter, pushed, firsts, firstn, busy, leases,
        packs, ready + ":migrating", delayed + ":migrating"));
    boolean perConsumer = unique.startsWith(tag + ":inflight:")
        || unique.startsWith(tag + ":heartbeat:");
    if (others.contains(unique) || perConsumer) {
      throw new QueueConfigException("queue \"" + queue + "\": SET_NAME \"" + setName
          + "\" makes the unique set the key " + unique + ", which the queue keeps for something "
          + "else; choose another SET_NAME (the default is _unique)");
    }
  }

  private static void check(String queue, String what, String value) {
    if (value.indexOf('{') >= 0 || value.indexOf('}') >= 0) {
      throw new QueueConfigException("queue \"" + queue + "\": " + what + " \"" + value
          + "\" contains { or }, which Redis reads as a hash tag; the redis queue type needs "
          + "names without braces");
    }
  }

  String inflight(String consumer) {
    return tag + ":inflight:" + consumer;
  }

  String heartbeat(String consumer) {
    return tag + ":heartbeat:" + consumer;
  }

  /**
   * The standard {@code KEYS} array; {@code consumer} may be null for scripts not using it. The
   * array is shared with other callers (see {@link #lastScript}): read or copy it, never write
   * into it.
   */
  byte[][] script(String consumer) {
    if (consumer == null) {
      return noConsumer;
    }
    ScriptKeys k = lastScript;
    if (k == null || !k.consumer().equals(consumer)) {
      k = new ScriptKeys(consumer, scriptKeys(consumer));
      lastScript = k;
    }
    return k.keys();
  }

  private byte[][] scriptKeys(String consumer) {
    String c = consumer == null ? "-" : consumer;
    return new byte[][] {b(ready), b(delayed), b(items), b(unique), b(meta), b(wake), b(room),
        b(consumers), b(dead), b(inflight(c)), b(heartbeat(c)), b(pushed), b(firsts), b(firstn), b(busy),
        b(leases), b(packs)};
  }

  /** The open script's {@code KEYS}: the standard ones, then those of {@link #MIGRATION_NAMES}. */
  byte[][] open() {
    byte[][] std = script(null);
    byte[][] all = java.util.Arrays.copyOf(std, std.length + MIGRATION_NAMES.length);
    all[std.length] = b(ready + ":migrating");
    all[std.length + 1] = b(delayed + ":migrating");
    all[std.length + 2] = b(unique + ":migrating");
    return all;
  }

  /**
   * The role of the open script's key at 1-based index {@code i} ({@link #NAMES}, then {@link
   * #MIGRATION_NAMES}), or null for an index that names none.
   */
  static String role(int i) {
    if (i >= 1 && i <= NAMES.length) {
      return NAMES[i - 1];
    }
    int m = i - NAMES.length;
    return m >= 1 && m <= MIGRATION_NAMES.length ? MIGRATION_NAMES[m - 1] : null;
  }

  /**
   * The type the open script's key at 1-based index {@code i} holds (prelude.lua's {@code
   * TYPES}, which the scripts check keys against), or null for an index that names none.
   */
  static String type(int i) {
    return i >= 1 && i <= Scripts.KEY_TYPES.size() ? Scripts.KEY_TYPES.get(i - 1) : null;
  }

  /**
   * Name of the open script's key at 1-based index {@code i} (the standard ones first), or null
   * for an index that names none.
   */
  String name(int i) {
    byte[][] all = open();
    return i >= 1 && i <= all.length ? new String(all[i - 1], StandardCharsets.UTF_8) : null;
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
