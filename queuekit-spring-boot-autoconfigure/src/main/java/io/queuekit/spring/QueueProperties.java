package io.queuekit.spring;

import io.queuekit.Setting;
import java.util.EnumMap;
import java.util.Map;

/**
 * One queue's settings as Spring properties: the keys of {@code [queue.NAME]} in an {@code
 * app.ini}, written the Spring way ({@code max-workers} for {@code MAX_WORKERS}). Values are the
 * INI text ({@code 100ms}, {@code 1MiB}, {@code 5m}), parsed by the same code and so refused with
 * the same messages; unset ones fall through to {@code queuekit.defaults}, then to the INI file
 * or the built-in defaults.
 *
 * <p><b>Thread-safety:</b> a mutable bean filled by Spring's binder at start-up; read-only after.
 */
public class QueueProperties {

  /** Store: level (default), channel, redis, dummy, immediate, or a plugged-in backend's type. */
  private String type;
  /** LevelDB directory; a relative path resolves against queuekit.data-path. */
  private String datadir;
  /** Connection string: leveldb://path?options, redis://..., or a plugged-in backend's form. */
  private String connStr;
  /** Waiting items before push waits for room. */
  private String length;
  /** Storage name suffix: NAME + QUEUE_NAME. */
  private String queueName;
  /** Unique set suffix: NAME + QUEUE_NAME + SET_NAME. */
  private String setName;
  /** A batch is dispatched when it holds this many items. */
  private String batchLength;
  /** ...or this long after its first item (Go duration, e.g. 100ms). */
  private String batchDebounce;
  /** Workers start on demand up to this cap. */
  private String maxWorkers;
  /** Redis: at most this many unsettled batches of the queue across all processes (0: off). */
  private String globalMaxWorkers;
  /** An idle worker exits after this long, except the last one. */
  private String workerIdleTimeout;
  /** How long push waits for room. */
  private String pushTimeout;
  /** How long running handlers get at shutdown. */
  private String shutdownTimeout;
  /** A handler running longer is interrupted and its batch released (0: none). */
  private String handlerTimeout;
  /** First backoff for unhandled items. */
  private String retryDelay;
  /** Backoff cap. */
  private String retryDelayMax;
  /** When n > 0 the handler sees an item at most n times, then it is dead-lettered. */
  private String maxDeliveries;
  /** The item in flight during this many crashes is dead-lettered as poison (0: never). */
  private String maxRecoveries;
  /** LevelDB: sync each write to disk. */
  private String sync;
  /** Redis: silence after which a consumer's in-flight items are recovered. */
  private String consumerTimeout;
  /** Redis: what a push or settle waits for: none, aof, replica or replicas=N. */
  private String durability;
  /** Cap of the dead-letter store. */
  private String deadLetterLength;
  /** Larger items are refused at push (e.g. 1MiB). */
  private String maxItemSize;

  /** The settings given, by INI key, in the order of {@link Setting}. */
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
    if (value != null) {
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
