package io.queuekit.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * The {@code queuekit.*} properties. Settings are layered as in Gitea, then overridden: built-in
 * defaults, the {@code ini} file's {@code [queue]} and {@code [queue.NAME]} when one is given,
 * then {@code queuekit.defaults.*}, then {@code queuekit.queues.NAME.*}.
 *
 * <pre>
 * queuekit:
 *   data-path: /var/lib/myservice
 *   defaults:
 *     max-workers: 4
 *   queues:
 *     mail:
 *       type: redis
 *       conn-str: redis://mail-redis:6379/0
 * </pre>
 *
 * <p><b>Thread-safety:</b> a mutable bean filled by Spring's binder at start-up; read-only after.
 */
@ConfigurationProperties("queuekit")
public class QueuekitProperties {

  /** Directory relative DATADIRs resolve against (Gitea's APP_DATA_PATH). */
  private Path dataPath = Path.of("data");

  /** A Gitea-style app.ini whose [queue] and [queue.NAME] sections are read first. */
  private Path ini;

  /** Health turns DOWN when a queue's oldest waiting item is older than this. */
  private Duration healthMaxWaitingAge = Duration.ofMinutes(5);

  /** Settings for every queue (the [queue] section). */
  @NestedConfigurationProperty
  private QueueProperties defaults = new QueueProperties();

  /** Settings per queue name (the [queue.NAME] sections). */
  private Map<String, QueueProperties> queues = new LinkedHashMap<>();

  public Path getDataPath() { return dataPath; }
  public void setDataPath(Path dataPath) { this.dataPath = dataPath; }
  public Path getIni() { return ini; }
  public void setIni(Path ini) { this.ini = ini; }
  public Duration getHealthMaxWaitingAge() { return healthMaxWaitingAge; }
  public void setHealthMaxWaitingAge(Duration age) { this.healthMaxWaitingAge = age; }
  public QueueProperties getDefaults() { return defaults; }
  public void setDefaults(QueueProperties defaults) { this.defaults = defaults; }
  public Map<String, QueueProperties> getQueues() { return queues; }
  public void setQueues(Map<String, QueueProperties> queues) { this.queues = queues; }
}
