package io.queuekit.spring;

import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.util.List;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the queues of {@link QueueSpec} beans and closes the manager gracefully at shutdown.
 *
 * <p>Its phase is below the web server's, so at start-up queues exist before requests arrive and
 * at shutdown the server stops taking requests (that push) before the queues close; closing gives
 * each queue's handlers its {@code SHUTDOWN_TIMEOUT}, and every unfinished item stays in the
 * store. A {@code QueueSpec} bean's queue is registered as a singleton named after the queue
 * once it is created, for lookups by name after start-up ({@code @QueueHandler} queues are
 * injectable earlier, in constructors).
 *
 * <p><b>Thread-safety:</b> called by the container's lifecycle processor, one call at a time.
 */
final class QueueManagerLifecycle implements SmartLifecycle {

  /** Below the web server's graceful-shutdown phase ({@code DEFAULT_PHASE - 2048}). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final QueueManager manager;
  private final List<QueueSpec<?>> specs;
  private final ConfigurableListableBeanFactory beanFactory;
  private volatile boolean running;

  QueueManagerLifecycle(QueueManager manager, List<QueueSpec<?>> specs, ConfigurableListableBeanFactory beanFactory) {
    this.manager = manager;
    this.specs = specs;
    this.beanFactory = beanFactory;
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
    running = true;
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
