package io.queuekit.spi;

import io.queuekit.QueueConfigException;
import io.queuekit.internal.Typos;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The open registry of backends: every {@link BaseQueueFactory} {@link ServiceLoader} finds,
 * asked by {@code TYPE} name. {@code queue-api} never depends on a backend module and holds no
 * list of types: a type is available iff a jar on the class path serves it, and its names,
 * aliases, former names, {@code CONN_STR} schemes and rules are the factory's.
 *
 * <p>The one thing kept here is advice for a missing backend: {@code backend-artifacts.properties}
 * names the artifact that serves each type queuekit publishes, so the error says what to add. A
 * backend not listed there is found all the same.
 *
 * <p><b>Thread-safety:</b> immutable after construction.
 */
public final class BaseQueues {
  private static final String ARTIFACTS = "backend-artifacts.properties";

  /** Canonical type to factory. */
  private final Map<String, BaseQueueFactory> byType;
  /** Every name read as a type (types, aliases, former names) to the canonical type. */
  private final Map<String, String> names;
  /** Former names (Gitea before 1.20) to the canonical type. */
  private final Map<String, String> former;

  private BaseQueues(Iterable<BaseQueueFactory> factories) {
    Map<String, BaseQueueFactory> types = new TreeMap<>();
    Map<String, String> all = new TreeMap<>();
    Map<String, String> old = new TreeMap<>();
    for (BaseQueueFactory factory : factories) {
      for (String type : factory.types()) {
        if (types.putIfAbsent(type, factory) == null) {
          all.put(type, type);
        }
      }
      for (Map.Entry<String, String> a : factory.aliases().entrySet()) {
        all.putIfAbsent(a.getKey(), a.getValue());
      }
      for (Map.Entry<String, String> f : factory.formerNames().entrySet()) {
        if (all.putIfAbsent(f.getKey(), f.getValue()) == null) {
          old.put(f.getKey(), f.getValue());
        }
      }
    }
    this.byType = Map.copyOf(types);
    this.names = Map.copyOf(all);
    this.former = Map.copyOf(old);
  }

  /** The backends visible to {@code loader}. */
  public static BaseQueues load(ClassLoader loader) {
    return new BaseQueues(ServiceLoader.load(BaseQueueFactory.class, loader));
  }

  /**
   * The backends on this class's class path, found once per class loader (the class path does
   * not change while the JVM runs).
   */
  public static BaseQueues load() {
    return Installed.BACKENDS;
  }

  /** The given factories, in place of {@link ServiceLoader}'s, for a manager built in code. */
  public static BaseQueues of(List<BaseQueueFactory> factories) {
    return new BaseQueues(List.copyOf(factories));
  }

  private static final class Installed {
    static final BaseQueues BACKENDS = load(BaseQueues.class.getClassLoader());
  }

  /** Canonical type names available, sorted. */
  public TreeSet<String> types() {
    return new TreeSet<>(byType.keySet());
  }

  /** The factory serving {@code type} (a canonical name or any name it answers to), if any. */
  public Optional<BaseQueueFactory> find(String type) {
    return Optional.ofNullable(names.get(type)).map(byType::get);
  }

  /**
   * The canonical type a {@code TYPE} value names. As in Gitea the name is case-sensitive; a
   * backend's aliases and former names are read as the type they stand for.
   *
   * @throws QueueConfigException for a name no backend on the class path answers to: "did you
   *     mean" when it is a known name in another case or close to one, and the artifact to add
   *     when a backend queuekit publishes serves it
   */
  public String canonicalType(String value) {
    String t = value.trim();
    String type = names.get(t);
    if (type != null) {
      return type;
    }
    Map<String, String> artifacts = artifacts();
    String artifact = artifacts.get(t);
    if (artifact != null) {
      throw new QueueConfigException("TYPE=" + t + ": no backend on the class path serves it; add "
          + "the artifact " + artifact + available());
    }
    String folded = t.toLowerCase(Locale.ROOT);
    List<String> known = new ArrayList<>(names.keySet());
    artifacts.keySet().stream().filter(n -> !names.containsKey(n)).sorted().forEach(known::add);
    for (String name : known) {
      if (name.equals(folded)) {
        throw new QueueConfigException("TYPE=" + value + " is not a queue type: type names are "
            + "case-sensitive, as in Gitea (which would read it as level); did you mean " + name + "?");
      }
    }
    String closest = null;
    int best = 3;
    for (String name : known) {
      int d = Typos.distance(folded, name);
      if (d < best) {
        best = d;
        closest = name;
      }
    }
    throw new QueueConfigException("TYPE=" + value + " is not a queue type; "
        + (closest == null ? "" : "did you mean " + closest + "? ") + "use one of "
        + String.join(", ", types()) + aliasList());
  }

  /** The current type a former name ({@code unique-redis}, {@code wrapped}, …) stands for. */
  public Optional<String> formerName(String value) {
    return Optional.ofNullable(former.get(value.trim()));
  }

  /** The canonical type whose backend reads {@code CONN_STR}s of {@code scheme}, if any. */
  public Optional<String> typeForScheme(String scheme) {
    String s = scheme.toLowerCase(Locale.ROOT);
    return byType.entrySet().stream().filter(e -> e.getValue().connStrSchemes().contains(s))
        .map(Map.Entry::getKey).findFirst();
  }

  /**
   * The current form of an outdated {@code connStr}, and the type whose backend reads it, when a
   * backend on the class path recognises it ({@link BaseQueueFactory#currentConnStr}).
   */
  public Optional<Map.Entry<String, String>> currentConnStr(String connStr) {
    for (Map.Entry<String, BaseQueueFactory> e : byType.entrySet()) {
      Optional<String> now = e.getValue().currentConnStr(connStr);
      if (now.isPresent()) {
        return Optional.of(Map.entry(e.getKey(), now.get()));
      }
    }
    return Optional.empty();
  }

  /**
   * The factory serving {@code type}.
   *
   * @throws QueueConfigException when no backend on the class path serves it, naming the
   *     artifact to add and listing those that are there
   */
  public BaseQueueFactory factory(String type, String queue) {
    Optional<BaseQueueFactory> factory = find(type);
    if (factory.isPresent()) {
      return factory.get();
    }
    try {
      canonicalType(type);
      throw new AssertionError(type); // canonicalType found no factory either
    } catch (QueueConfigException e) {
      throw new QueueConfigException("queue \"" + queue + "\": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the named queue with the backend serving {@code type}.
   *
   * @throws QueueConfigException also for {@code GLOBAL_MAX_WORKERS} above 0 or a {@code
   *     DURABILITY} on a backend that does not honour it ({@link #refuseGlobalCap}, {@link
   *     #refuseDurability})
   */
  public BaseQueue create(String type, BaseQueueConfig config) {
    return honouring(type, config.name(), config.settings()).create(names.get(type), config);
  }

  /**
   * Checks a queue's settings as {@link #create} and its backend would, without opening
   * anything: a backend serves its {@code TYPE}, the backend honours its {@code
   * GLOBAL_MAX_WORKERS} and {@code DURABILITY}, and the backend's own rules ({@link
   * BaseQueueFactory#validate}: the {@code CONN_STR} above all) accept them. For settings that do
   * not come from an INI file, which {@code ConfigCheck} checks line by line (the Spring Boot
   * properties).
   *
   * @throws QueueConfigException what is wrong, naming the queue, the key and the (masked) value
   */
  public void validate(String queue, io.queuekit.QueueSettings settings) {
    String type = settings.type();
    honouring(type, queue, settings).validate(names.get(type), queue, settings);
  }

  /** The factory serving {@code type}, once it is known to honour the settings it cannot ignore. */
  private BaseQueueFactory honouring(String type, String queue, io.queuekit.QueueSettings settings) {
    BaseQueueFactory factory = factory(type, queue);
    refuseGlobalCap(factory, names.get(type), queue, settings);
    refuseDurability(factory, names.get(type), queue, settings);
    return factory;
  }

  /**
   * Refuses a {@code DURABILITY} other than {@code none} for a backend that does not honour it
   * ({@link BaseQueueFactory#honoursDurability}), naming the queue, the value and the type.
   */
  public static void refuseDurability(BaseQueueFactory factory, String type, String queue,
      io.queuekit.QueueSettings settings) {
    io.queuekit.Durability d = settings.durability();
    if (d.mode() != io.queuekit.Durability.Mode.NONE && !factory.honoursDurability(type)) {
      throw new QueueConfigException("queue \"" + queue + "\": DURABILITY=" + d + " is what a "
          + "Redis push or settle waits for; TYPE=" + type + " cannot wait for it (only the redis "
          + "backend does); set it to none, or use TYPE=redis");
    }
  }

  /**
   * Refuses {@code GLOBAL_MAX_WORKERS} above 0 for a backend that does not enforce it ({@link
   * BaseQueueFactory#enforcesGlobalMaxWorkers}), naming the queue, the value and the type.
   */
  public static void refuseGlobalCap(BaseQueueFactory factory, String type, String queue,
      io.queuekit.QueueSettings settings) {
    int cap = settings.globalMaxWorkers();
    if (cap > 0 && !factory.enforcesGlobalMaxWorkers(type)) {
      throw new QueueConfigException("queue \"" + queue + "\": GLOBAL_MAX_WORKERS=" + cap
          + " is a cap across processes that TYPE=" + type + " cannot enforce (only the redis "
          + "backend does); set it to 0 and use MAX_WORKERS for a cap per process, or use "
          + "TYPE=redis");
    }
  }

  private String available() {
    return byType.isEmpty() ? " (no backend is on the class path)"
        : " (on the class path: " + String.join(", ", types()) + ")";
  }

  private String aliasList() {
    Map<String, List<String>> byTarget = new LinkedHashMap<>();
    new TreeMap<>(names).forEach((name, type) -> {
      if (!name.equals(type) && !former.containsKey(name)) {
        byTarget.computeIfAbsent(type, x -> new ArrayList<>()).add(name);
      }
    });
    return byTarget.isEmpty() ? "" : byTarget.entrySet().stream()
        .map(e -> "aliases of " + e.getKey() + ": " + String.join(", ", e.getValue()))
        .collect(Collectors.joining("; ", " (", ")"));
  }

  /** Type name to artifact, for the backends queuekit publishes. */
  private static Map<String, String> artifacts() {
    Properties p = new Properties();
    try (InputStream in = BaseQueues.class.getResourceAsStream(ARTIFACTS)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + ARTIFACTS + " from queue-api's jar", e);
    }
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(n -> m.put(n, p.getProperty(n)));
    return m;
  }
}
