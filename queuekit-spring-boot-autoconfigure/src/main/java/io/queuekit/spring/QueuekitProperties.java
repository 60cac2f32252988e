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

  /** The admin page (needs queue-admin on the class path). */
  private final Admin admin = new Admin();

  public Admin getAdmin() { return admin; }
  public Path getDataPath() { return dataPath; }
  public void setDataPath(Path dataPath) { this.dataPath = dataPath; }
  public Path getIni() { return ini; }
  public void setIni(Path ini) { this.ini = ini; }
  public Duration getHealthMaxWaitingAge() { return healthMaxWaitingAge; }
  public void setHealthMaxWaitingAge(Duration age) {
    // Spring's bind report names the property, the value and where it came from, with this reason
    if (age == null || age.isNegative()) {
      throw new IllegalArgumentException("the age past which a waiting item makes health DOWN "
          + "must be zero or more");
    }
    this.healthMaxWaitingAge = age;
  }
  public QueueProperties getDefaults() { return defaults; }
  public void setDefaults(QueueProperties defaults) { this.defaults = defaults; }
  public Map<String, QueueProperties> getQueues() { return queues; }
  public void setQueues(Map<String, QueueProperties> queues) { this.queues = queues; }

  /** {@code queuekit.admin.*}: queue-admin's page and API on a port of its own. */
  public static class Admin {
    /** Serve the admin page (queue-admin must be on the class path). */
    private boolean enabled;
    /** Address to bind; anything but loopback also needs allow-remote. */
    private String host = "127.0.0.1";
    /** Port (0: any free port, logged at start). */
    private int port = 0;
    /**
     * Bearer token (at least 16 characters). When unset one is generated at start and never
     * logged: its login URL is written to login-url-file, readable by this user only.
     */
    private String token;
    /** Where a generated token's login URL is written (default: queuekit-admin-login.txt in data-path). */
    private Path loginUrlFile;
    /** Allow a non-loopback host. */
    private boolean allowRemote;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getToken() { return token; }
    public void setToken(String token) { this.token = token; }
    public Path getLoginUrlFile() { return loginUrlFile; }
    public void setLoginUrlFile(Path loginUrlFile) { this.loginUrlFile = loginUrlFile; }
    public boolean isAllowRemote() { return allowRemote; }
    public void setAllowRemote(boolean allowRemote) { this.allowRemote = allowRemote; }
  }
}
