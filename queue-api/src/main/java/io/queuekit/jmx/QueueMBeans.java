package io.queuekit.jmx;

import io.queuekit.QueueConfigException;
import io.queuekit.QueueWatcher;
import io.queuekit.WorkerPoolQueue;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a {@link QueueMXBean} per queue with an {@link MBeanServer} while the queue runs, as
 * {@code io.queuekit:type=Queue,name=<queue>} (the name quoted when it holds a character an
 * ObjectName reserves), and unregisters it when the queue closes (its manager closing closes it).
 * Use {@code QueueManager.builder().jmx(server)}, or {@code manager.watch(new
 * QueueMBeans(server))}.
 *
 * <p><b>Thread-safety:</b> thread-safe (the server is). A queue whose name is already registered
 * in the server (another manager in the JVM has a queue of that name) fails to be created, with an
 * error naming the ObjectName.
 */
public final class QueueMBeans implements QueueWatcher {
  private static final Logger log = LoggerFactory.getLogger(QueueMBeans.class);
  /** The JMX domain every queue's MXBean is registered under. */
  public static final String DOMAIN = "io.queuekit";

  private final MBeanServer server;
  /** What this instance registered: only that is unregistered (a taken name is another's). */
  private final Map<WorkerPoolQueue<?>, ObjectName> registered = new ConcurrentHashMap<>();

  public QueueMBeans(MBeanServer server) {
    this.server = Objects.requireNonNull(server, "server");
  }

  /** {@code io.queuekit:type=Queue,name=<queue>}, the name quoted when it must be. */
  public static ObjectName objectName(String queue) {
    boolean plain = !queue.isEmpty() && queue.chars().noneMatch(c -> ",=:\"*?\n\\".indexOf(c) >= 0);
    try {
      return new ObjectName(DOMAIN + ":type=Queue,name=" + (plain ? queue : ObjectName.quote(queue)));
    } catch (MalformedObjectNameException e) {
      throw new QueueConfigException("queue \"" + queue + "\": cannot make a JMX ObjectName of its "
          + "name: " + e.getMessage());
    }
  }

  @Override
  public void created(WorkerPoolQueue<?> queue) {
    ObjectName name = objectName(queue.name());
    try {
      server.registerMBean(new QueueMBean(queue), name);
      registered.put(queue, name);
    } catch (javax.management.InstanceAlreadyExistsException e) {
      throw new QueueConfigException("queue \"" + queue.name() + "\": the JMX name " + name
          + " is already registered (another QueueManager in this JVM has a queue of that name)");
    } catch (JMException e) {
      throw new QueueConfigException("queue \"" + queue.name() + "\": cannot register its MXBean "
          + name + ": " + e);
    }
  }

  @Override
  public void closed(WorkerPoolQueue<?> queue) {
    ObjectName name = registered.remove(queue);
    if (name == null) {
      return; // its registration failed (a name already taken): what is registered is another's
    }
    try {
      server.unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      log.warn("queue \"{}\": its MXBean {} was unregistered by someone else", queue.name(), name);
    } catch (JMException e) {
      log.error("queue \"{}\": cannot unregister its MXBean {}", queue.name(), name, e);
    }
  }
}
