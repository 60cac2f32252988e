package io.queuekit.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method the handler of a named queue. The method takes the batch, {@code
 * List<T>}, and returns the items it did not handle ({@code Collection<?>}, as {@link
 * io.queuekit.Handler} does) or {@code void} (everything handled; throw to retry the batch).
 * {@code T} is the item type the queue's codec reads and writes. A method taking {@code
 * List<Delivered<T>>} is a {@link io.queuekit.DeliveryHandler}: each item comes with its delivery
 * count, recovery count, first push and delivery id.
 *
 * <pre>
 * &#64;Component
 * class Mailer {
 *   &#64;QueueHandler("mail")
 *   void send(List&lt;Mail&gt; batch) { ... }
 * }
 * </pre>
 *
 * The queue is created at start-up with the settings of {@code queuekit.queues.mail.*} (or the
 * INI file) and is a bean named after the queue, so {@code @Qualifier("mail")
 * WorkerPoolQueue<Mail>} injects it anywhere, including into the handler's own bean.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface QueueHandler {

  /** The queue's name: its settings section and its bean name. */
  String value();

  /** A unique queue: an item already waiting is not added twice (Gitea's unique queue). */
  boolean unique() default false;
}
