package io.queuekit.spring;

import io.queuekit.Setting;
import java.util.EnumMap;
import java.util.Map;

/**
 * One queue's settings as Spring properties: the keys of {@code [queue.NAME]} in an {@code
 * app.ini}, written the Spring way ({@code max-workers} for {@code MAX_WORKERS}). Values are the
 * INI text ({@code 100ms}, {@code 1MiB}, {@code 5m}), parsed by the same code and so refused with
 * the same messages; unset or empty ones fall through to {@code queuekit.defaults}, then to the
 * INI file or the built-in defaults.
 *
 * <p><b>Thread-safety:</b> a mutable bean filled by Spring's binder at start-up; read-only after.
 */
public class QueueProperties {

  // Each description repeats the README's settings table (Setting#description, without its
  // Markdown), defaults last: the configuration processor copies it into the IDE metadata, and
  // PropertyMetadataTest keeps the two in step.

  /**
   * A type a backend on the class path serves: level (aliases leveldb, levelqueue), channel,
   * redis, postgres (alias postgresql), dummy, immediate, or a plugged-in backend's;
   * case-sensitive; old Gitea names (unique-level, persistable-channel, …) are read as what they
   * meant, with a warning. Default: level.
   */
  private String type;
  /**
   * LevelDB directory; relative paths resolve against the data path; queues with the same
   * directory share one DB. The data path is queuekit.data-path. Default: queues/common.
   */
  private String datadir;
  /**
   * LevelDB leveldb://path?options; Redis redis://, rediss://, redis+socket://,
   * redis+sentinel://, redis+cluster://, ?prefix=; PostgreSQL
   * postgres://USER:PASSWORD@HOST:PORT/DB or jdbc:postgresql://…, ?schema= (default public),
   * ?pool= (2–200, default 10), other parameters (sslmode, …) to pgjdbc. Default: empty.
   */
  private String connStr;
  /** Waiting items before push waits for room (≤ 0: default). Default: 100000. */
  private String length;
  /** Storage name suffix: NAME + QUEUE_NAME. Default: _queue. */
  private String queueName;
  /** Unique set suffix: NAME + QUEUE_NAME + SET_NAME. Default: _unique. */
  private String setName;
  /** A batch is dispatched when it holds this many items (≤ 0: default). Default: 20. */
  private String batchLength;
  /** …or this long after its first item. A Go duration (100ms, 5s, 1m30s). Default: 100ms. */
  private String batchDebounce;
  /**
   * Workers start on demand up to this cap; changeable at run time (≤ 0: default). Default:
   * cores/2, 1..10.
   */
  private String maxWorkers;
  /**
   * Redis: at most this many batches of the queue claimed and not yet settled (in handlers or
   * about to be) across all processes, counted in Redis and freed when a batch's last item is
   * settled or its consumer dies (a batch HANDLER_TIMEOUT releases is settled, even while its
   * handler ignores the interrupt and still runs); other types refuse a value above 0 (0: off).
   * Default: 0.
   */
  private String globalMaxWorkers;
  /** An idle worker exits, except the last one. Default: 1s. */
  private String workerIdleTimeout;
  /** How long push waits for room. Default: 5s. */
  private String pushTimeout;
  /** How long running handlers get at shutdown. Default: 2s. */
  private String shutdownTimeout;
  /** A handler running longer is interrupted and its batch released (0: none). Default: 0. */
  private String handlerTimeout;
  /** First backoff for unhandled items (0: retry at once). Default: 1s. */
  private String retryDelay;
  /** Backoff cap. Default: 5m. */
  private String retryDelayMax;
  /**
   * When n > 0 the handler sees an item at most n times, then it is dead-lettered (0:
   * unlimited). Default: 0.
   */
  private String maxDeliveries;
  /**
   * The item in flight during this many crashes is dead-lettered as poison (0: never). Default:
   * 3.
   */
  private String maxRecoveries;
  /** LevelDB: sync each write to disk. Default: false. */
  private String sync;
  /**
   * Redis, PostgreSQL: silence after which a consumer's in-flight items are recovered, within one
   * heartbeat period (a third of it) more (≥ 1s). Redis: an idle consumer (holding nothing) beats
   * once per two of it; one beat per process for all its queues. Default: 30s.
   */
  private String consumerTimeout;
  /**
   * Redis: what a push or settle waits for before it returns: none, aof (WAITAOF 1 0: the
   * server's append-only file fsynced; Redis ≥ 7.2 or Valkey), replica or replicas=N (WAIT N: N
   * replicas have the write); not with redis+cluster://; other types refuse all but none.
   * Default: none.
   */
  private String durability;
  /**
   * Cap of the dead-letter store; entries dropped at the cap are logged and counted. Default:
   * 10000.
   */
  private String deadLetterLength;
  /** Larger items are refused at push. A size (512KiB, 1MiB). Default: 1MiB. */
  private String maxItemSize;

  /** The settings given (not blank), by INI key, in the order of {@link Setting}. */
  Map<Setting, String> given() {
    Map<Setting, String> m = new EnumMap<>(Setting.class);
    put(m, Setting.TYPE, type);
    put(m, Setting.DATADIR, datadir);
    put(m, Setting.CONN_STR, connStr);
    put(m, Setting.LENGTH, length);
    put(m, Setting.QUEUE_NAME, queueName);
    put(m, Setting.SET_NAME, setName);
    put(m, Setting.BATCH_LENGTH, batchLength);
    put(m, Setting.BATCH_DEBOUNCE, batchDebounce);
    put(m, Setting.MAX_WORKERS, maxWorkers);
    put(m, Setting.GLOBAL_MAX_WORKERS, globalMaxWorkers);
    put(m, Setting.WORKER_IDLE_TIMEOUT, workerIdleTimeout);
    put(m, Setting.PUSH_TIMEOUT, pushTimeout);
    put(m, Setting.SHUTDOWN_TIMEOUT, shutdownTimeout);
    put(m, Setting.HANDLER_TIMEOUT, handlerTimeout);
    put(m, Setting.RETRY_DELAY, retryDelay);
    put(m, Setting.RETRY_DELAY_MAX, retryDelayMax);
    put(m, Setting.MAX_DELIVERIES, maxDeliveries);
    put(m, Setting.MAX_RECOVERIES, maxRecoveries);
    put(m, Setting.SYNC, sync);
    put(m, Setting.CONSUMER_TIMEOUT, consumerTimeout);
    put(m, Setting.DURABILITY, durability);
    put(m, Setting.DEAD_LETTER_LENGTH, deadLetterLength);
    put(m, Setting.MAX_ITEM_SIZE, maxItemSize);
    return m;
  }

  private static void put(Map<Setting, String> m, Setting key, String value) {
    // An empty value is how Spring unsets a property (key= in a profile, an empty environment
    // variable): it leaves the key to the layer below, rather than failing as "MAX_WORKERS=".
    if (value != null && !value.isBlank()) {
      m.put(key, value);
    }
  }

  /** The Spring property name of {@code key} under a prefix: {@code MAX_WORKERS} → {@code max-workers}. */
  static String propertyName(Setting key) {
    return key.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public String getType() { return type; }
  public void setType(String type) { this.type = type; }
  public String getDatadir() { return datadir; }
  public void setDatadir(String datadir) { this.datadir = datadir; }
  public String getConnStr() { return connStr; }
  public void setConnStr(String connStr) { this.connStr = connStr; }
  public String getLength() { return length; }
  public void setLength(String length) { this.length = length; }
  public String getQueueName() { return queueName; }
  public void setQueueName(String queueName) { this.queueName = queueName; }
  public String getSetName() { return setName; }
  public void setSetName(String setName) { this.setName = setName; }
  public String getBatchLength() { return batchLength; }
  public void setBatchLength(String batchLength) { this.batchLength = batchLength; }
  public String getBatchDebounce() { return batchDebounce; }
  public void setBatchDebounce(String batchDebounce) { this.batchDebounce = batchDebounce; }
  public String getMaxWorkers() { return maxWorkers; }
  public void setMaxWorkers(String maxWorkers) { this.maxWorkers = maxWorkers; }
  public String getGlobalMaxWorkers() { return globalMaxWorkers; }
  public void setGlobalMaxWorkers(String globalMaxWorkers) { this.globalMaxWorkers = globalMaxWorkers; }
  public String getWorkerIdleTimeout() { return workerIdleTimeout; }
  public void setWorkerIdleTimeout(String workerIdleTimeout) { this.workerIdleTimeout = workerIdleTimeout; }
  public String getPushTimeout() { return pushTimeout; }
  public void setPushTimeout(String pushTimeout) { this.pushTimeout = pushTimeout; }
  public String getShutdownTimeout() { return shutdownTimeout; }
  public void setShutdownTimeout(String shutdownTimeout) { this.shutdownTimeout = shutdownTimeout; }
  public String getHandlerTimeout() { return handlerTimeout; }
  public void setHandlerTimeout(String handlerTimeout) { this.handlerTimeout = handlerTimeout; }
  public String getRetryDelay() { return retryDelay; }
  public void setRetryDelay(String retryDelay) { this.retryDelay = retryDelay; }
  public String getRetryDelayMax() { return retryDelayMax; }
  public void setRetryDelayMax(String retryDelayMax) { this.retryDelayMax = retryDelayMax; }
  public String getMaxDeliveries() { return maxDeliveries; }
  public void setMaxDeliveries(String maxDeliveries) { this.maxDeliveries = maxDeliveries; }
  public String getMaxRecoveries() { return maxRecoveries; }
  public void setMaxRecoveries(String maxRecoveries) { this.maxRecoveries = maxRecoveries; }
  public String getSync() { return sync; }
  public void setSync(String sync) { this.sync = sync; }
  public String getConsumerTimeout() { return consumerTimeout; }
  public void setConsumerTimeout(String consumerTimeout) { this.consumerTimeout = consumerTimeout; }
  public String getDurability() { return durability; }
  public void setDurability(String durability) { this.durability = durability; }
  public String getDeadLetterLength() { return deadLetterLength; }
  public void setDeadLetterLength(String deadLetterLength) { this.deadLetterLength = deadLetterLength; }
  public String getMaxItemSize() { return maxItemSize; }
  public void setMaxItemSize(String maxItemSize) { this.maxItemSize = maxItemSize; }
}
