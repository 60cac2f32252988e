package io.queuekit.ini;

import io.queuekit.QueueConfig;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue settings read from an INI file the way Gitea reads {@code app.ini}: built-in defaults,
 * then {@code [queue]}, then {@code [queue.NAME]}, where:
 *
 * <ul>
 *   <li>keys and section names are case-sensitive, as go-ini reads them;
 *   <li>an empty value sets nothing, except {@code CONN_STR =} in {@code [queue.NAME]}, which
 *       overrides {@code [queue]} (Gitea's special case); values ≤ 0 for {@code LENGTH}, {@code
 *       BATCH_LENGTH} and {@code MAX_WORKERS} mean the default;
 *   <li>when {@code [queue.a.b]} exists it also inherits from {@code [queue.a]} (go-ini);
 *   <li>the queue {@code task} has Gitea's extra defaults below {@code [queue]}: {@code LENGTH}
 *       from {@code [task] QUEUE_LENGTH} (1000), and {@code TYPE}/{@code CONN_STR} from {@code
 *       [task] QUEUE_TYPE} ({@code channel}, the default: {@code level}; {@code redis}: {@code
 *       redis}) and {@code QUEUE_CONN_STR};
 *   <li>a {@code CONN_STR} in a form its backend calls outdated (Redis's old {@code key=value}) is
 *       read as the current form ({@link io.queuekit.spi.BaseQueueFactory#currentConnStr}).
 * </ul>
 *
 * <p>Loading runs {@link ConfigCheck} once: each finding is logged (errors at ERROR, warnings at
 * WARN, passwords masked); if any is an error, loading fails with one {@link QueueConfigException}
 * listing them all, after logging each. So a file with removed options logs one error per option,
 * naming its replacement, then fails, as Gitea does.
 *
 * <pre>{@code
 * IniQueueConfig config = IniQueueConfig.load(Path.of("custom/conf/app.ini"));
 * config.findings();                  // the warnings, also logged
 * config.settings("issue_indexer");   // defaults <- [queue] <- [queue.issue_indexer]
 * }</pre>
 *
 * <p><b>Thread-safety:</b> immutable after loading; {@link #settings} may be called from any thread.
 */
public final class IniQueueConfig implements QueueConfig {
  private static final Logger LOG = LoggerFactory.getLogger(IniQueueConfig.class);

  private final IniFile file;
  private final List<Finding> findings;
  private final ConcurrentMap<String, QueueSettings> cache = new ConcurrentHashMap<>();

  private IniQueueConfig(IniFile file, List<Finding> findings) {
    this.file = file;
    this.findings = findings;
  }

  /**
   * Reads and checks {@code iniFile}.
   *
   * @throws QueueConfigException when the file cannot be read (naming it and the cause), is not
   *     UTF-8 text ({@link IniEncodingException}: file, line, column, byte), a line cannot be
   *     parsed ({@link IniParseException}: file, line, text), or any check is an error
   *     (message: the file, the number of errors, and each with file, line, section, key and
   *     value)
   */
  public static IniQueueConfig load(Path iniFile) {
    IniFile f;
    try {
      f = IniFile.parse(iniFile);
    } catch (IOException e) {
      throw new QueueConfigException("cannot read the queue configuration " + iniFile + ": " + e,
          e);
    }
    return of(f);
  }

  /**
   * Reads and checks {@code text}, naming it {@code sourceName} in messages.
   *
   * @throws QueueConfigException as {@link #load}
   */
  public static IniQueueConfig parse(String text, String sourceName) {
    return of(IniFile.parse(text, sourceName));
  }

  /**
   * Checks an already parsed file.
   *
   * @throws QueueConfigException as {@link #load}
   */
  public static IniQueueConfig of(IniFile file) {
    List<Finding> all = ConfigCheck.run(file);
    List<Finding> errors = new ArrayList<>();
    for (Finding f : all) {
      if (f.fatal()) {
        LOG.error("{}", f);
        errors.add(f);
      } else {
        LOG.warn("{}", f);
      }
    }
    if (!errors.isEmpty()) {
      throw new QueueConfigException(summary(file.sourceName(), errors));
    }
    return new IniQueueConfig(file, all);
  }

  private static String summary(String file, List<Finding> errors) {
    if (errors.size() == 1) {
      return errors.get(0).toString();
    }
    StringBuilder b = new StringBuilder(file).append(": ").append(errors.size())
        .append(" errors in the queue configuration (run config-migrator check ").append(file)
        .append(" to list them; config-migrator migrate moves removed options):");
    for (Finding f : errors) {
      b.append("\n  ").append(f);
    }
    return b.toString();
  }

  /**
   * The settings of queue {@code name}.
   *
   * @throws QueueConfigException naming file, line, section, key and value when the layers for
   *     this name hold a bad value that loading did not check (only possible when {@code
   *     [queue.a.b]} inherits from {@code [queue.a]})
   */
  @Override
  public QueueSettings settings(String name) {
    Objects.requireNonNull(name, "name");
    return cache.computeIfAbsent(name,
        n -> QueueLayers.resolve(file, n, QueueLayers.layers(file, n)).settings);
  }

  /** The findings of loading that were not errors (warnings), ordered by line. */
  public List<Finding> findings() {
    return findings;
  }

  /** The queue names that have a {@code [queue.NAME]} section, in file order. */
  public Set<String> configuredQueues() {
    Set<String> names = new LinkedHashSet<>();
    for (String s : file.sectionNames()) {
      if (s.startsWith(QueueLayers.PREFIX) && s.length() > QueueLayers.PREFIX.length()) {
        names.add(s.substring(QueueLayers.PREFIX.length()));
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** The file the settings were read from. */
  public IniFile file() {
    return file;
  }

  @Override
  public String toString() {
    return "IniQueueConfig[" + file.sourceName() + ", queues " + configuredQueues() + "]";
  }
}
