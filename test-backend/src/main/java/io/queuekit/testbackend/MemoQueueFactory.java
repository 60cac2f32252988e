package io.queuekit.testbackend;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueSettings;
import io.queuekit.channel.ChannelQueueFactory;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code TYPE=memo}: a backend that lives outside queue-api and the published backends, found by
 * {@link java.util.ServiceLoader} alone, to prove the registry open. It declares everything a
 * backend declares: a type, an alias ({@code memory}), a former name ({@code unique-memo}), its
 * {@code CONN_STR} scheme ({@code memo://NAME}, optional), an outdated form ({@code memo:NAME})
 * and the rules of its {@code CONN_STR}; the configuration check and start-up ask it, and no
 * line of queue-api names it.
 *
 * <p>The store itself is the channel backend's (in memory, FIFO, not durable), opened through
 * its public factory, so that the suites test the plugging in rather than a second copy of a
 * store. Not published.
 *
 * <p><b>Thread-safety:</b> stateless; {@link #create} may be called from several threads at once.
 */
public final class MemoQueueFactory implements BaseQueueFactory {
  /** The {@code TYPE} this factory serves. */
  public static final String TYPE = "memo";

  private static final Pattern CONN = Pattern.compile("memo://[A-Za-z0-9_.-]+");
  private static final Pattern OLD = Pattern.compile("memo:([A-Za-z0-9_.-]+)");

  private final ChannelQueueFactory store = new ChannelQueueFactory();

  /** Called by {@link java.util.ServiceLoader}. */
  public MemoQueueFactory() {}

  @Override
  public Set<String> types() {
    return Set.of(TYPE);
  }

  @Override
  public Map<String, String> aliases() {
    return Map.of("memory", TYPE);
  }

  @Override
  public Map<String, String> formerNames() {
    return Map.of("unique-memo", TYPE);
  }

  @Override
  public Set<String> connStrSchemes() {
    return Set.of("memo");
  }

  /** {@code memo:NAME}, the form before the {@code //}, is {@code memo://NAME} today. */
  @Override
  public Optional<String> currentConnStr(String connStr) {
    var m = OLD.matcher(connStr.trim());
    return m.matches() ? Optional.of("memo://" + m.group(1)) : Optional.empty();
  }

  /** The {@code CONN_STR} is empty or {@code memo://NAME} (letters, digits, {@code _ . -}). */
  @Override
  public void validate(String type, String queue, QueueSettings settings) {
    String conn = settings.connStr().trim();
    if (!conn.isEmpty() && !CONN.matcher(conn).matches()) {
      throw new QueueConfigException("queue \"" + queue + "\": CONN_STR " + conn + " is not a"
          + " memo connection string; TYPE=memo takes memo://NAME (letters, digits, _ . -) or an"
          + " empty CONN_STR");
    }
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    if (!TYPE.equals(type)) {
      throw new QueueConfigException("queue \"" + config.name() + "\": the memo backend serves"
          + " TYPE=" + TYPE + ", not " + type);
    }
    validate(type, config.name(), config.settings());
    return store.create(ChannelQueueFactory.TYPE, config);
  }
}
