package io.queuekit.spring;

import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the queues of {@link QueueSpec} beans and closes the manager gracefully at shutdown.
 *
 * <p>Its phase is below the web server's, so at start-up queues exist before requests arrive and
 * at shutdown the server stops taking requests (that push) before the queues close; closing gives
 * each queue's handlers its {@code SHUTDOWN_TIMEOUT}, and every unfinished item stays in the
 * store. A {@code QueueSpec} bean's queue is registered as a singleton named after the queue
 * once it is created, for lookups by name after start-up ({@code @QueueHandler} queues are
 * injectable earlier, in constructors). At the first start it warns of each {@code
 * queuekit.queues.NAME} that no queue of the application uses, and of each environment variable
 * for a queue whose name holds a {@code _} that none of them claims: both need the queues in
 * use, known only now.
 *
 * <p><b>Thread-safety:</b> called by the container's lifecycle processor, one call at a time.
 */
final class QueueManagerLifecycle implements SmartLifecycle {

  /** Below the web server's graceful-shutdown phase ({@code DEFAULT_PHASE - 2048}). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger LOG = LoggerFactory.getLogger(QueueManagerLifecycle.class);

  private final QueueManager manager;
  private final List<QueueSpec<?>> specs;
  private final ConfigurableListableBeanFactory beanFactory;
  /** The names under queuekit.queues, checked once at start against the queues in use. */
  private final Set<String> configuredQueues;
  /** The application's properties, for the environment variables no queue claims. */
  private final Iterable<ConfigurationPropertySource> properties;
  private volatile boolean running;
  private boolean checked;

  QueueManagerLifecycle(QueueManager manager, List<QueueSpec<?>> specs, ConfigurableListableBeanFactory beanFactory,
      Set<String> configuredQueues, Iterable<ConfigurationPropertySource> properties) {
    this.manager = manager;
    this.specs = specs;
    this.beanFactory = beanFactory;
    this.configuredQueues = Set.copyOf(configuredQueues);
    this.properties = properties;
  }

  @Override
  public void start() {
    for (QueueSpec<?> spec : specs) {
      if (manager.queue(spec.name()).isEmpty()) {
        WorkerPoolQueue<?> queue = manager.create(spec);
        if (!beanFactory.containsBean(spec.name())) {
          beanFactory.registerSingleton(spec.name(), queue);
        }
      }
    }
    if (!checked) {
      checked = true; // a context stopped and started again has the same queues: warn once
      Set<String> used = queuesInUse();
      QueuekitPropertiesCheck.unusedQueues(configuredQueues, used).forEach(LOG::warn);
      Set<String> known = new HashSet<>(used);
      known.addAll(configuredQueues);
      QueuekitPropertiesCheck.underscoredQueueVariables(properties, known).forEach(LOG::warn);
    }
    running = true;
  }

  /**
   * The queues created so far, those of QueueSpec beans, and those of @QueueHandler methods, by
   * their bean definitions: a lazily initialised handler's queue is not created yet, but is used.
   */
  private Set<String> queuesInUse() {
    Set<String> used = new HashSet<>();
    manager.queues().forEach(q -> used.add(q.name()));
    specs.forEach(s -> used.add(s.name()));
    used.addAll(Arrays.asList(beanFactory.getBeanNamesForType(WorkerPoolQueue.class, true, false)));
    return used;
  }

  @Override
  public void stop() {
    running = false;
    manager.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
