package io.queuekit.spi;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A backend, found at run time by {@link java.util.ServiceLoader} under the {@code TYPE} names it
 * serves. Implementations are listed in {@code
 * META-INF/services/io.queuekit.spi.BaseQueueFactory} of the backend's jar.
 *
 * <p>A backend describes itself completely: its {@code TYPE} names ({@link #types}, {@link
 * #aliases}, {@link #formerNames}), the schemes of the {@code CONN_STR}s it reads ({@link
 * #connStrSchemes}) and the rules of its {@code CONN_STR} ({@link #validate}, {@link
 * #currentConnStr}). {@code queue-api} holds no list of types and no backend's rules: the
 * configuration check, start-up and the config migrator ask the factory, so a new backend needs
 * no change to {@code queue-api}. Every method but {@link #types} and {@link #create} has a
 * default, so a backend written against the first SPI still works.
 *
 * <p><b>Thread-safety:</b> {@link #create} may be called from several threads at once.
 */
public interface BaseQueueFactory {

  /** The canonical {@code TYPE} names this factory serves, e.g. {@code channel}. */
  Set<String> types();

  /**
   * Other {@code TYPE} names read silently as one of {@link #types()} (name to type), e.g. {@code
   * leveldb} to {@code level}. Names are case-sensitive, as in Gitea. None by default.
   */
  default Map<String, String> aliases() {
    return Map.of();
  }

  /**
   * Names older configurations carry (Gitea before 1.20: {@code unique-redis}, {@code
   * persistable-channel}, …) and the type each meant: read as that type with a warning naming it,
   * and rewritten by {@code config-migrator migrate}. None by default.
   */
  default Map<String, String> formerNames() {
    return Map.of();
  }

  /**
   * The URI schemes of the {@code CONN_STR}s this backend reads, lower case, without {@code ://}
   * (e.g. {@code redis}, {@code rediss}). The check uses them to say which backend a {@code
   * CONN_STR} was written for when a queue of another type is given it. None by default.
   */
  default Set<String> connStrSchemes() {
    return Set.of();
  }

  /**
   * The form to write today for {@code connStr}, when it is an outdated form this backend still
   * reads (Redis's old {@code addrs=host:port db=0}); empty for anything else. Start-up reads the
   * current form, the check warns and {@code config-migrator migrate} rewrites. Empty by default.
   */
  default Optional<String> currentConnStr(String connStr) {
    return Optional.empty();
  }

  /**
   * Opens the named queue.
   *
   * @param type one of {@link #types()}
   * @throws io.queuekit.QueueConfigException settings this backend cannot use (naming key, value and
   *     queue)
   * @throws io.queuekit.QueueUnavailableException the store cannot be opened or reached
   */
  BaseQueue create(String type, BaseQueueConfig config);

  /**
   * Checks the settings this backend reads (its {@code CONN_STR} above all) without opening
   * anything: the configuration check and start-up ask the same code, so a file that passes
   * {@code config-migrator check} does not fail later in {@link #create}. The default checks
   * nothing.
   *
   * @param type one of {@link #types()}
   * @throws io.queuekit.QueueConfigException what is wrong, naming the queue, key and (masked) value
   */
  default void validate(String type, String queue, io.queuekit.QueueSettings settings) {}

  /**
   * Whether this backend enforces {@code GLOBAL_MAX_WORKERS} (a cap on unsettled batches across
   * every process sharing the store). The worker pool cannot enforce it on its own across
   * processes, so a backend that does not opens no queue with a value above 0 ({@link
   * BaseQueues#create}, the configuration check): a cap silently ignored would let a downstream
   * service see more calls than it was promised. The default is false.
   *
   * @param type one of {@link #types()}
   */
  default boolean enforcesGlobalMaxWorkers(String type) {
    return false;
  }

  /**
   * Whether this backend makes a push and a settle wait as {@code DURABILITY} asks (a Redis
   * {@code WAITAOF} or {@code WAIT}). A backend that does not opens no queue with a value other
   * than {@code none} ({@link BaseQueues#create}, the configuration check): a durability silently
   * ignored would let a service believe a write is safe that is not. The default is false.
   *
   * @param type one of {@link #types()}
   */
  default boolean honoursDurability(String type) {
    return false;
  }
}
