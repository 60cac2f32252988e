package io.queuekit.spi;

import java.util.Set;

/**
 * A backend, found at run time by {@link java.util.ServiceLoader} under the {@code TYPE} names it
 * serves. Implementations are listed in {@code
 * META-INF/services/io.queuekit.spi.BaseQueueFactory} of the backend's jar.
 *
 * <p><b>Thread-safety:</b> {@link #create} may be called from several threads at once.
 */
public interface BaseQueueFactory {

  /** The canonical {@code TYPE} names this factory serves, e.g. {@code channel}. */
  Set<String> types();

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
}
