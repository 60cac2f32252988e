package io.queuekit;

import io.queuekit.internal.ConnStrings;
import io.queuekit.internal.GoDuration;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resolved settings of one queue: every key of {@link Setting} with its value. Immutable;
 * built with {@link #builder()} (in code) or by the INI reader, which feeds the same builder, so
 * both paths validate alike.
 *
 * <p>As in Gitea, values ≤ 0 for {@code LENGTH}, {@code BATCH_LENGTH} and {@code MAX_WORKERS} fall
 * back to their defaults. Every other bad value is a {@link QueueConfigException} naming the key
 * and the value.
 *
 * <p><b>Thread-safety:</b> immutable, safe to share.
 */
public final class QueueSettings {
  private static final QueueSettings DEFAULTS = new Builder().build();

  private final String type;
  private final String dataDir;
  private final String connStr;
  private final int length;
  private final String queueName;
  private final String setName;
  private final int batchLength;
  private final Duration batchDebounce;
  private final int maxWorkers;
  private final int globalMaxWorkers;
  private final Duration workerIdleTimeout;
  private final Duration pushTimeout;
  private final Duration shutdownTimeout;
  private final Duration handlerTimeout;
  private final Duration retryDelay;
  private final Duration retryDelayMax;
  private final int maxDeliveries;
  private final int maxRecoveries;
  private final boolean sync;
  private final Duration consumerTimeout;
  private final Durability durability;
  private final int deadLetterLength;
  private final int maxItemSize;

  private QueueSettings(Builder b) {
    this.type = b.type;
    this.dataDir = b.dataDir;
    this.connStr = b.connStr;
    this.length = b.length > 0 ? b.length : 100_000;
    this.queueName = b.queueName;
    this.setName = b.setName;
    this.batchLength = b.batchLength > 0 ? b.batchLength : 20;
    this.batchDebounce = b.batchDebounce;
    this.maxWorkers = b.maxWorkers > 0 ? b.maxWorkers : defaultMaxWorkers();
    this.globalMaxWorkers = b.globalMaxWorkers;
    this.workerIdleTimeout = b.workerIdleTimeout;
    this.pushTimeout = b.pushTimeout;
    this.shutdownTimeout = b.shutdownTimeout;
    this.handlerTimeout = b.handlerTimeout;
    this.retryDelay = b.retryDelay;
    this.retryDelayMax = b.retryDelayMax;
    this.maxDeliveries = b.maxDeliveries;
    this.maxRecoveries = b.maxRecoveries;
    this.sync = b.sync;
    this.consumerTimeout = b.consumerTimeout;
    this.durability = b.durability;
    this.deadLetterLength = b.deadLetterLength;
    this.maxItemSize = b.maxItemSize;
  }

  /** Gitea's default: half the cores, clamped to 1..10. */
  static int defaultMaxWorkers() {
    return Math.max(1, Math.min(10, Runtime.getRuntime().availableProcessors() / 2));
  }

  /** Every key at its default. */
  public static QueueSettings defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The canonical type for a {@code TYPE} value, as the backends on the class path name
   * themselves ({@link io.queuekit.spi.BaseQueues#canonicalType}): case-sensitive as in Gitea;
   * a backend's aliases ({@code leveldb}, {@code levelqueue}) and the names of Gitea before 1.20
   * ({@link #oldTypeName}) are read as the type they stand for.
   *
   * @throws QueueConfigException for a name no backend answers to, with "did you mean" when it
   *     is a known name in another case or close to one, or the artifact to add
   */
  public static String canonicalType(String value) {
    return io.queuekit.spi.BaseQueues.load().canonicalType(value);
  }

  /**
   * The current type an old Gitea type name ({@code unique-level}, {@code persistable-channel},
   * {@code wrapped}, …) stands for, as its backend declares it; empty for any other value.
   */
  public static Optional<String> oldTypeName(String value) {
    return io.queuekit.spi.BaseQueues.load().formerName(value);
  }

  /** Storage name: {@code name + QUEUE_NAME}. */
  public String queueFullName(String name) {
    return name + queueName;
  }

  /**
   * Unique set storage name: {@code queueFullName + SET_NAME}; {@code _unique} when SET_NAME is
   * empty, so the set never shares the queue's name (as Gitea does).
   */
  public String setFullName(String name) {
    return queueFullName(name) + (setName.isEmpty() ? "_unique" : setName);
  }

  public String type() { return type; }
  public String dataDir() { return dataDir; }
  public String connStr() { return connStr; }
  public int length() { return length; }
  public String queueName() { return queueName; }
  public String setName() { return setName; }
  public int batchLength() { return batchLength; }
  public Duration batchDebounce() { return batchDebounce; }
  public int maxWorkers() { return maxWorkers; }
  /** {@code GLOBAL_MAX_WORKERS}: the cluster-wide cap on unsettled batches (0: off). */
  public int globalMaxWorkers() { return globalMaxWorkers; }
  public Duration workerIdleTimeout() { return workerIdleTimeout; }
  public Duration pushTimeout() { return pushTimeout; }
  public Duration shutdownTimeout() { return shutdownTimeout; }
  public Duration handlerTimeout() { return handlerTimeout; }
  public Duration retryDelay() { return retryDelay; }
  public Duration retryDelayMax() { return retryDelayMax; }
  public int maxDeliveries() { return maxDeliveries; }
  public int maxRecoveries() { return maxRecoveries; }
  public boolean sync() { return sync; }
  public Duration consumerTimeout() { return consumerTimeout; }
  public Durability durability() { return durability; }
  public int deadLetterLength() { return deadLetterLength; }
  public int maxItemSize() { return maxItemSize; }

  /** The value of {@code key} written as the INI file would write it. */
  public String text(Setting key) {
    switch (key) {
      case TYPE: return type;
      case DATADIR: return dataDir;
      case CONN_STR: return connStr;
      case LENGTH: return Integer.toString(length);
      case QUEUE_NAME: return queueName;
      case SET_NAME: return setName;
      case BATCH_LENGTH: return Integer.toString(batchLength);
      case BATCH_DEBOUNCE: return GoDuration.format(batchDebounce);
      case MAX_WORKERS: return Integer.toString(maxWorkers);
      case GLOBAL_MAX_WORKERS: return Integer.toString(globalMaxWorkers);
      case WORKER_IDLE_TIMEOUT: return GoDuration.format(workerIdleTimeout);
      case PUSH_TIMEOUT: return GoDuration.format(pushTimeout);
      case SHUTDOWN_TIMEOUT: return GoDuration.format(shutdownTimeout);
      case HANDLER_TIMEOUT: return GoDuration.format(handlerTimeout);
      case RETRY_DELAY: return GoDuration.format(retryDelay);
      case RETRY_DELAY_MAX: return GoDuration.format(retryDelayMax);
      case MAX_DELIVERIES: return Integer.toString(maxDeliveries);
      case MAX_RECOVERIES: return Integer.toString(maxRecoveries);
      case SYNC: return Boolean.toString(sync);
      case CONSUMER_TIMEOUT: return GoDuration.format(consumerTimeout);
      case DURABILITY: return durability.toString();
      case DEAD_LETTER_LENGTH: return Integer.toString(deadLetterLength);
      case MAX_ITEM_SIZE: return Integer.toString(maxItemSize);
      default: throw new AssertionError(key);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof QueueSettings)) {
      return false;
    }
    QueueSettings other = (QueueSettings) o;
    for (Setting s : Setting.values()) {
      if (!text(s).equals(other.text(s))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = 1;
    for (Setting s : Setting.values()) {
      h = 31 * h + text(s).hashCode();
    }
    return h;
  }

  @Override
  public String toString() {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      m.put(s, s == Setting.CONN_STR ? ConnStrings.maskConnStr(connStr) : text(s));
    }
    return "QueueSettings" + m;
  }

  /**
   * Builds {@link QueueSettings}. Each setter checks its value at once and throws {@link
   * QueueConfigException} naming the key and the value; {@link #build()} checks the keys that
   * depend on each other. Not thread-safe.
   */
  public static final class Builder {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?\\s*");

    private String type = "level";
    private String dataDir = "queues/common";
    private String connStr = "";
    private int length = 100_000;
    private String queueName = "_queue";
    private String setName = "_unique";
    private int batchLength = 20;
    private Duration batchDebounce = Duration.ofMillis(100);
    private int maxWorkers = 0;
    private int globalMaxWorkers = 0;
    private Duration workerIdleTimeout = Duration.ofSeconds(1);
    private Duration pushTimeout = Duration.ofSeconds(5);
    private Duration shutdownTimeout = Duration.ofSeconds(2);
    private Duration handlerTimeout = Duration.ZERO;
    private Duration retryDelay = Duration.ofSeconds(1);
    private Duration retryDelayMax = Duration.ofMinutes(5);
    private int maxDeliveries = 0;
    private int maxRecoveries = 3;
    private boolean sync = false;
    private Duration consumerTimeout = Duration.ofSeconds(30);
    private Durability durability = Durability.none();
    private int deadLetterLength = 10_000;
    private int maxItemSize = 1 << 20;

    private Builder() {}

    private Builder(QueueSettings s) {
      type = s.type;
      dataDir = s.dataDir;
      connStr = s.connStr;
      length = s.length;
      queueName = s.queueName;
      setName = s.setName;
      batchLength = s.batchLength;
      batchDebounce = s.batchDebounce;
      maxWorkers = s.maxWorkers;
      globalMaxWorkers = s.globalMaxWorkers;
      workerIdleTimeout = s.workerIdleTimeout;
      pushTimeout = s.pushTimeout;
      shutdownTimeout = s.shutdownTimeout;
      handlerTimeout = s.handlerTimeout;
      retryDelay = s.retryDelay;
      retryDelayMax = s.retryDelayMax;
      maxDeliveries = s.maxDeliveries;
      maxRecoveries = s.maxRecoveries;
      sync = s.sync;
      consumerTimeout = s.consumerTimeout;
      durability = s.durability;
      deadLetterLength = s.deadLetterLength;
      maxItemSize = s.maxItemSize;
    }

    /**
     * Sets {@code key} from its INI text.
     *
     * @throws QueueConfigException naming key and value when the text is not a valid value
     */
    public Builder set(Setting key, String text) {
      String v = text.trim();
      switch (key) {
        case TYPE: return type(v);
        case DATADIR: return dataDir(v.isEmpty() ? "queues/common" : v);
        case CONN_STR: return connStr(v);
        case LENGTH: return length(parseInt(key, v));
        case QUEUE_NAME: return queueName(v);
        case SET_NAME: return setName(v);
        case BATCH_LENGTH: return batchLength(parseInt(key, v));
        case BATCH_DEBOUNCE: return batchDebounce(parseDuration(key, v));
        case MAX_WORKERS: return maxWorkers(parseInt(key, v));
        case GLOBAL_MAX_WORKERS: return globalMaxWorkers(parseInt(key, v));
        case WORKER_IDLE_TIMEOUT: return workerIdleTimeout(parseDuration(key, v));
        case PUSH_TIMEOUT: return pushTimeout(parseDuration(key, v));
        case SHUTDOWN_TIMEOUT: return shutdownTimeout(parseDuration(key, v));
        case HANDLER_TIMEOUT: return handlerTimeout(parseDuration(key, v));
        case RETRY_DELAY: return retryDelay(parseDuration(key, v));
        case RETRY_DELAY_MAX: return retryDelayMax(parseDuration(key, v));
        case MAX_DELIVERIES: return maxDeliveries(parseInt(key, v));
        case MAX_RECOVERIES: return maxRecoveries(parseInt(key, v));
        case SYNC: return sync(parseBool(key, v));
        case CONSUMER_TIMEOUT: return consumerTimeout(parseDuration(key, v));
        case DURABILITY: return durability(Durability.parse(v));
        case DEAD_LETTER_LENGTH: return deadLetterLength(parseInt(key, v));
        case MAX_ITEM_SIZE: return maxItemSize(parseSize(key, v));
        default: throw new AssertionError(key);
      }
    }

    public Builder type(String value) {
      this.type = canonicalType(value);
      return this;
    }

    public Builder dataDir(String value) {
      this.dataDir = Objects.requireNonNull(value, "DATADIR");
      return this;
    }

    public Builder connStr(String value) {
      this.connStr = Objects.requireNonNull(value, "CONN_STR");
      return this;
    }

    /** {@code LENGTH}; ≤ 0 means the default (100000). */
    public Builder length(int value) {
      this.length = value;
      return this;
    }

    public Builder queueName(String value) {
      this.queueName = Objects.requireNonNull(value, "QUEUE_NAME");
      return this;
    }

    public Builder setName(String value) {
      this.setName = Objects.requireNonNull(value, "SET_NAME");
      return this;
    }

    /** {@code BATCH_LENGTH}; ≤ 0 means the default (20). */
    public Builder batchLength(int value) {
      this.batchLength = value;
      return this;
    }

    public Builder batchDebounce(Duration value) {
      this.batchDebounce = nonNegative(Setting.BATCH_DEBOUNCE, value);
      return this;
    }

    /** {@code MAX_WORKERS}; ≤ 0 means the default (cores / 2, clamped to 1..10). */
    public Builder maxWorkers(int value) {
      this.maxWorkers = value;
      return this;
    }

    /**
     * {@code GLOBAL_MAX_WORKERS}: at most this many batches of the queue unsettled across all
     * processes (0: off, the default). Only the redis backend enforces it; the others refuse a
     * value above 0 when the queue opens.
     */
    public Builder globalMaxWorkers(int value) {
      this.globalMaxWorkers = atLeast(Setting.GLOBAL_MAX_WORKERS, value, 0);
      return this;
    }

    public Builder workerIdleTimeout(Duration value) {
      this.workerIdleTimeout = nonNegative(Setting.WORKER_IDLE_TIMEOUT, value);
      return this;
    }

    public Builder pushTimeout(Duration value) {
      this.pushTimeout = nonNegative(Setting.PUSH_TIMEOUT, value);
      return this;
    }

    public Builder shutdownTimeout(Duration value) {
      this.shutdownTimeout = nonNegative(Setting.SHUTDOWN_TIMEOUT, value);
      return this;
    }

    public Builder handlerTimeout(Duration value) {
      this.handlerTimeout = nonNegative(Setting.HANDLER_TIMEOUT, value);
      return this;
    }

    public Builder retryDelay(Duration value) {
      this.retryDelay = nonNegative(Setting.RETRY_DELAY, value);
      return this;
    }

    public Builder retryDelayMax(Duration value) {
      this.retryDelayMax = nonNegative(Setting.RETRY_DELAY_MAX, value);
      return this;
    }

    public Builder maxDeliveries(int value) {
      this.maxDeliveries = atLeast(Setting.MAX_DELIVERIES, value, 0);
      return this;
    }

    public Builder maxRecoveries(int value) {
      this.maxRecoveries = atLeast(Setting.MAX_RECOVERIES, value, 0);
      return this;
    }

    public Builder sync(boolean value) {
      this.sync = value;
      return this;
    }

    public Builder consumerTimeout(Duration value) {
      Objects.requireNonNull(value, "CONSUMER_TIMEOUT");
      if (value.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new QueueConfigException("CONSUMER_TIMEOUT=" + GoDuration.format(value)
            + " is too short: it must be at least 1s");
      }
      this.consumerTimeout = value;
      return this;
    }

    /** {@code DURABILITY}: what a Redis push or settle waits for ({@link Durability}). */
    public Builder durability(Durability value) {
      this.durability = Objects.requireNonNull(value, "DURABILITY");
      return this;
    }

    public Builder deadLetterLength(int value) {
      this.deadLetterLength = atLeast(Setting.DEAD_LETTER_LENGTH, value, 1);
      return this;
    }

    public Builder maxItemSize(int value) {
      this.maxItemSize = atLeast(Setting.MAX_ITEM_SIZE, value, 1);
      return this;
    }

    /**
     * Checks the keys that depend on each other and returns the settings. The builder is not
     * changed, so it may build again.
     */
    public QueueSettings build() {
      if (retryDelayMax.compareTo(retryDelay) < 0) {
        throw new QueueConfigException("RETRY_DELAY_MAX=" + GoDuration.format(retryDelayMax)
            + " is shorter than RETRY_DELAY=" + GoDuration.format(retryDelay));
      }
      return new QueueSettings(this);
    }

    private static Duration nonNegative(Setting key, Duration value) {
      Objects.requireNonNull(value, key.key());
      if (value.isNegative()) {
        throw new QueueConfigException(key.key() + "=" + GoDuration.format(value)
            + " is negative; use 0 or a positive duration");
      }
      return value;
    }

    private static int atLeast(Setting key, int value, int min) {
      if (value < min) {
        throw new QueueConfigException(key.key() + "=" + value + " is below the minimum " + min);
      }
      return value;
    }

    private static int parseInt(Setting key, String v) {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        if (v.matches("[+-]?\\d+")) {
          throw new QueueConfigException(key.key() + "=" + v + " is too "
              + (v.startsWith("-") ? "small: the least is " + Integer.MIN_VALUE
                  : "large: the most is " + Integer.MAX_VALUE));
        }
        throw new QueueConfigException(key.key() + "=" + v + " is not a whole number");
      }
    }

    private static boolean parseBool(Setting key, String v) {
      // go-ini's Bool(): 1, t, true, y, yes, on and their negations, case-insensitive
      switch (v.toLowerCase(Locale.ROOT)) {
        case "1": case "t": case "true": case "y": case "yes": case "on": return true;
        case "0": case "f": case "false": case "n": case "no": case "off": return false;
        default:
          throw new QueueConfigException(key.key() + "=" + v + " is not a boolean (true/false)");
      }
    }

    private static Duration parseDuration(Setting key, String v) {
      try {
        return GoDuration.parse(v);
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new QueueConfigException(key.key() + "=" + v + " is not a duration: " + e.getMessage());
      }
    }

    private static int parseSize(Setting key, String v) {
      Matcher m = SIZE.matcher(v);
      if (!m.matches()) {
        throw new QueueConfigException(key.key() + "=" + v
            + " is not a size (bytes, or with a unit: 512KiB, 1MiB, 1MB)");
      }
      // More digits than a long holds is simply too large (not a NumberFormatException).
      long n = m.group(1).length() > 18 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
      long factor;
      switch (unit) {
        case "kb": factor = 1_000; break;
        case "kib": factor = 1L << 10; break;
        case "mb": factor = 1_000_000; break;
        case "mib": factor = 1L << 20; break;
        case "gb": factor = 1_000_000_000; break;
        case "gib": factor = 1L << 30; break;
        default: factor = 1;
      }
      long bytes = n > Integer.MAX_VALUE ? Long.MAX_VALUE : n * factor;
      if (bytes > Integer.MAX_VALUE) {
        throw new QueueConfigException(key.key() + "=" + v + " is too large (at most 2GiB)");
      }
      return (int) bytes;
    }
  }
}
