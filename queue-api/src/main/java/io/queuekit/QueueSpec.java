package io.queuekit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a service asks a {@link QueueManager} for: a queue's name, flavour, item type and handler,
 * and optionally its codec, unique key, listeners and settings (by default the manager's settings
 * for the name). The handler is a plain {@link Handler} ({@link #simple}, {@link #unique}), or a
 * {@link DeliveryHandler} that also learns each item's attempt, recoveries, first push and
 * delivery id ({@link #simpleDelivered}, {@link #uniqueDelivered}; separate names, since one
 * lambda would fit both forms).
 *
 * <pre>{@code
 * WorkerPoolQueue<IndexJob> q = manager.create(
 *     QueueSpec.unique("issue_indexer", IndexJob.class, indexer::index)
 *         .uniqueKey(job -> "issue-" + job.issueId()));
 * }</pre>
 *
 * <p><b>Thread-safety:</b> not thread-safe while being built; the manager copies what it needs.
 *
 * @param <T> the item type
 */
public final class QueueSpec<T> {
  private final String name;
  private final Class<T> itemType;
  private final boolean unique;
  private final Handler<T> handler; // exactly one of these two is set
  private final DeliveryHandler<T> deliveryHandler;
  private Codec<T> codec;
  private Function<? super T, byte[]> uniqueKey;
  private QueueSettings settings;
  private final List<QueueListener<? super T>> listeners = new ArrayList<>();

  private QueueSpec(String name, Class<T> itemType, boolean unique, Handler<T> handler,
      DeliveryHandler<T> deliveryHandler) {
    this.name = reachableName(name);
    this.itemType = Objects.requireNonNull(itemType, "itemType");
    this.unique = unique;
    if (handler == null && deliveryHandler == null) {
      // Gitea silently turns a queue without a handler into "dummy"; that hides the bug.
      throw new QueueConfigException("queue \"" + name + "\" has no handler");
    }
    this.handler = handler;
    this.deliveryHandler = deliveryHandler;
    this.codec = Codec.json(itemType);
  }

  /**
   * {@code name}, refused when it is {@code .} or {@code ..}: in a URL path those are dot
   * segments, which browsers and every URL parser remove (written {@code %2e} too), so the admin
   * page and API could never address such a queue.
   */
  private static String reachableName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.equals(".") || name.equals("..")) {
      throw new QueueConfigException("queue \"" + name + "\": a queue cannot be named \"" + name
          + "\" (a URL path drops that segment, so the admin page and API could never reach the"
          + " queue); choose another name");
    }
    return name;
  }

  /** A simple queue: every push is stored. */
  public static <T> QueueSpec<T> simple(String name, Class<T> itemType, Handler<T> handler) {
    return new QueueSpec<>(name, itemType, false, handler, null);
  }

  /** A unique queue: an item already waiting is not stored again. */
  public static <T> QueueSpec<T> unique(String name, Class<T> itemType, Handler<T> handler) {
    return new QueueSpec<>(name, itemType, true, handler, null);
  }

  /** A simple queue whose handler learns each item's delivery ({@link Delivered}). */
  public static <T> QueueSpec<T> simpleDelivered(String name, Class<T> itemType,
      DeliveryHandler<T> handler) {
    return new QueueSpec<>(name, itemType, false, null, handler);
  }

  /** A unique queue whose handler learns each item's delivery ({@link Delivered}). */
  public static <T> QueueSpec<T> uniqueDelivered(String name, Class<T> itemType,
      DeliveryHandler<T> handler) {
    return new QueueSpec<>(name, itemType, true, null, handler);
  }

  /** Replaces the default JSON codec. */
  public QueueSpec<T> codec(Codec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    return this;
  }

  /**
   * Unique queues: compare items by this key instead of their encoded bytes (e.g. an issue id when
   * the item also carries a changing timestamp).
   */
  public QueueSpec<T> uniqueKey(Function<? super T, String> key) {
    Objects.requireNonNull(key, "uniqueKey");
    this.uniqueKey = item -> key.apply(item).getBytes(StandardCharsets.UTF_8);
    return this;
  }

  /** Uses these settings instead of the manager's settings for the name. */
  public QueueSpec<T> settings(QueueSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /** Adds a listener. */
  public QueueSpec<T> listener(QueueListener<? super T> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  public String name() { return name; }
  public Class<T> itemType() { return itemType; }
  public boolean unique() { return unique; }
  /** The plain handler; empty if this spec has a {@link #deliveryHandler()}. */
  public Optional<Handler<T>> handler() { return Optional.ofNullable(handler); }
  /** The delivery handler; empty if this spec has a plain {@link #handler()}. */
  public Optional<DeliveryHandler<T>> deliveryHandler() { return Optional.ofNullable(deliveryHandler); }
  public Codec<T> codec() { return codec; }
  public Optional<Function<? super T, byte[]>> uniqueKey() { return Optional.ofNullable(uniqueKey); }
  public Optional<QueueSettings> settings() { return Optional.ofNullable(settings); }
  public List<QueueListener<? super T>> listeners() { return List.copyOf(listeners); }
}
