package io.queuekit.level;

import io.queuekit.QueueConfigException;
import io.queuekit.spi.BaseQueueConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iq80.leveldb.CompressionType;
import org.iq80.leveldb.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a queue's LevelDB lives and how to open it, from {@code CONN_STR} ({@code
 * leveldb://path?options}) or, when that is empty, {@code DATADIR}. A relative path resolves
 * against the manager's data path ({@link BaseQueueConfig#dataPath()}), so Gitea's default {@code
 * queues/common} puts every queue of a process in one DB.
 *
 * <p>The path of {@code leveldb://} is everything between the scheme and {@code ?}, percent-decoded,
 * as Gitea reads it: {@code leveldb://queues/common} is relative, {@code leveldb:///var/q} absolute.
 * Option names are case-insensitive and ignore {@code _} and {@code -} (Gitea's rule):
 *
 * <table>
 *   <caption>CONN_STR options</caption>
 *   <tr><th>option</th><th>value</th><th>effect</th></tr>
 *   <tr><td>{@code engine}</td><td>{@code jni} | {@code java}</td><td>forces an engine</td></tr>
 *   <tr><td>{@code writebuffer}, {@code writebuffersize}</td><td>size</td><td>memtable size</td></tr>
 *   <tr><td>{@code blockcachecapacity}, {@code cachesize}</td><td>size</td><td>block cache</td></tr>
 *   <tr><td>{@code blocksize}</td><td>size</td><td>table block size</td></tr>
 *   <tr><td>{@code maxopenfiles}, {@code openfilescachecapacity}</td><td>count</td>
 *       <td>open table files</td></tr>
 *   <tr><td>{@code compression}</td><td>{@code snappy} | {@code none}</td><td>block compression</td></tr>
 *   <tr><td>{@code nosync}, {@code clientname}</td><td>any</td>
 *       <td>Gitea's; ignored with a WARN ({@code SYNC} decides syncing)</td></tr>
 * </table>
 *
 * <p>Sizes are bytes or take a unit ({@code 4MiB}, {@code 512KiB}, {@code 8MB}). Any other option
 * is an error naming it.
 *
 * <p><b>Thread-safety:</b> immutable.
 */
final class LevelLocation {
  private static final Logger LOG = LoggerFactory.getLogger(LevelLocation.class);
  private static final String SCHEME = "leveldb://";
  private static final Pattern SIZE =
      Pattern.compile("(?i)\\s*(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\\s*");

  private final Path directory;
  private final Engine engine;
  private final Map<String, String> options;
  private final String source;

  private LevelLocation(Path directory, Engine engine, Map<String, String> options, String source) {
    this.directory = directory;
    this.engine = engine;
    this.options = options;
    this.source = source;
  }

  /** The directory of the DB, absolute and normalised. */
  Path directory() {
    return directory;
  }

  /** The engine asked for, or null for the default choice. */
  Engine engine() {
    return engine;
  }

  /** The options as given (normalised names), for comparing two openers of one directory. */
  Map<String, String> options() {
    return options;
  }

  /** Where the location came from, for messages: {@code CONN_STR=...} or {@code DATADIR=...}. */
  String source() {
    return source;
  }

  /**
   * Reads the location of {@code config}'s queue.
   *
   * @throws QueueConfigException naming the queue, the key and the value
   */
  static LevelLocation of(BaseQueueConfig config) {
    return of(config.name(), config.settings(), config.dataPath());
  }

  /** As {@link #of(BaseQueueConfig)}, from its parts (the configuration check has no config). */
  static LevelLocation of(String queue, io.queuekit.QueueSettings settings, java.nio.file.Path dataPath) {
    String connStr = settings.connStr().trim();
    String path;
    String query = "";
    String source;
    if (!connStr.isEmpty()) {
      // masked: a string meant for another backend (TYPE left at the default) may hold a password
      source = "CONN_STR=" + io.queuekit.internal.ConnStrings.maskConnStr(connStr);
      if (!connStr.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
        throw new QueueConfigException("queue \"" + queue + "\": " + source + " is not a LevelDB "
            + "connection string; TYPE=level takes leveldb://path?options (or an empty CONN_STR "
            + "and DATADIR)");
      }
      String rest = connStr.substring(SCHEME.length());
      int q = rest.indexOf('?');
      if (q >= 0) {
        query = rest.substring(q + 1);
        rest = rest.substring(0, q);
      }
      path = percentDecode(rest, queue, source);
      if (path.isEmpty()) {
        throw new QueueConfigException("queue \"" + queue + "\": " + source + " names no "
            + "directory; write leveldb://queues/common (relative to the data path) or "
            + "leveldb:///absolute/dir");
      }
    } else {
      path = settings.dataDir().trim();
      source = "DATADIR=" + path;
      if (path.isEmpty()) {
        throw new QueueConfigException("queue \"" + queue + "\": DATADIR is empty");
      }
    }
    Path dir;
    try {
      dir = Path.of(path);
    } catch (InvalidPathException e) {
      throw new QueueConfigException("queue \"" + queue + "\": " + source + " is not a valid path: "
          + e.getMessage(), e);
    }
    if (!dir.isAbsolute()) {
      dir = dataPath.resolve(dir);
    }
    dir = dir.toAbsolutePath().normalize();

    Map<String, String> options = new TreeMap<>();
    Engine engine = null;
    for (String pair : query.split("&")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String rawName = eq < 0 ? pair : pair.substring(0, eq);
      String value = percentDecode(eq < 0 ? "" : pair.substring(eq + 1), queue, source);
      String name = rawName.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
      switch (name) {
        case "engine":
          engine = Engine.forOption(value);
          if (engine == null) {
            throw bad(queue, source, rawName, value, "use engine=jni or engine=java");
          }
          break;
        case "writebuffer":
        case "writebuffersize":
          name = "writebuffer";
          size(queue, source, rawName, value);
          break;
        case "blockcachecapacity":
        case "cachesize":
          name = "cachesize";
          size(queue, source, rawName, value);
          break;
        case "blocksize":
          size(queue, source, rawName, value);
          break;
        case "maxopenfiles":
        case "openfilescachecapacity":
          name = "maxopenfiles";
          count(queue, source, rawName, value);
          break;
        case "compression":
          if (!value.equalsIgnoreCase("snappy") && !value.equalsIgnoreCase("none")) {
            throw bad(queue, source, rawName, value, "use compression=snappy or compression=none");
          }
          break;
        case "nosync":
        case "clientname":
          LOG.warn("queue \"{}\": {}: option {} is a goleveldb option queuekit ignores{}", queue,
              source, rawName, name.equals("nosync") ? " (SYNC decides whether writes sync)" : "");
          continue;
        default:
          throw new QueueConfigException("queue \"" + queue + "\": " + source + ": unknown LevelDB "
              + "option \"" + rawName + "\"; known: engine, writebuffer, blockcachecapacity, "
              + "blocksize, maxopenfiles, compression");
      }
      options.put(name, value);
    }
    return new LevelLocation(dir, engine, Map.copyOf(options), source);
  }

  /** LevelDB options for these settings, creating the DB when missing. */
  Options levelOptions() {
    Options o = new Options().createIfMissing(true);
    for (Map.Entry<String, String> e : options.entrySet()) {
      String v = e.getValue();
      switch (e.getKey()) {
        case "writebuffer":
          o.writeBufferSize((int) Math.min(Integer.MAX_VALUE, parseSize(v)));
          break;
        case "cachesize":
          o.cacheSize(parseSize(v));
          break;
        case "blocksize":
          o.blockSize((int) Math.min(Integer.MAX_VALUE, parseSize(v)));
          break;
        case "maxopenfiles":
          o.maxOpenFiles(Integer.parseInt(v.trim()));
          break;
        case "compression":
          o.compressionType(v.equalsIgnoreCase("none") ? CompressionType.NONE
              : CompressionType.SNAPPY);
          break;
        default:
          break;
      }
    }
    return o;
  }

  private static void size(String queue, String source, String name, String value) {
    if (!SIZE.matcher(value).matches() || parseSize(value) <= 0) {
      throw bad(queue, source, name, value, "use a positive size such as 4MiB");
    }
  }

  private static void count(String queue, String source, String name, String value) {
    try {
      if (Integer.parseInt(value.trim()) > 0) {
        return;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(queue, source, name, value, "use a positive whole number");
  }

  private static long parseSize(String value) {
    Matcher m = SIZE.matcher(value);
    if (!m.matches()) {
      return -1;
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return -1;
    }
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long f;
    switch (unit) {
      case "k": case "kib": f = 1L << 10; break;
      case "kb": f = 1_000; break;
      case "m": case "mib": f = 1L << 20; break;
      case "mb": f = 1_000_000; break;
      case "g": case "gib": f = 1L << 30; break;
      case "gb": f = 1_000_000_000; break;
      default: f = 1;
    }
    return n > Long.MAX_VALUE / f ? -1 : n * f;
  }

  private static QueueConfigException bad(String queue, String source, String name, String value,
      String hint) {
    return new QueueConfigException("queue \"" + queue + "\": " + source + ": option " + name
        + "=" + value + " is not valid; " + hint);
  }

  private static String percentDecode(String s, String queue, String source) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int run = 0; // start of the current run of unescaped characters
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '%') {
        continue;
      }
      out.writeBytes(s.substring(run, i).getBytes(StandardCharsets.UTF_8));
      if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0
          || Character.digit(s.charAt(i + 2), 16) < 0) {
        throw new QueueConfigException("queue \"" + queue + "\": " + source
            + " has a bad percent escape at character " + i);
      }
      out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
      i += 2;
      run = i + 1;
    }
    out.writeBytes(s.substring(run).getBytes(StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LevelLocation && directory.equals(((LevelLocation) o).directory)
        && Objects.equals(engine, ((LevelLocation) o).engine)
        && options.equals(((LevelLocation) o).options);
  }

  @Override
  public int hashCode() {
    return Objects.hash(directory, engine, options);
  }

  @Override
  public String toString() {
    return directory + (engine == null ? "" : " engine=" + engine.option()) + " " + options;
  }
}
