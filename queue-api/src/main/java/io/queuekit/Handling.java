package io.queuekit;

import io.queuekit.spi.Delivery;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A queue's handler in either form, plain {@link Handler} or {@link DeliveryHandler}, as workers
 * ({@link BatchRunner}) and the immediate mode ({@link ImmediateRunner}) call it: what the
 * handler is given for a batch of decoded items, and the call. The elements given are what the
 * handler's return is matched against; for a delivery handler, their items too.
 *
 * <p>Thread-safe: immutable; the handler's own thread-safety is the user's.
 */
abstract class Handling<T> {

  /** The handler of {@code spec}, whichever form it was given. */
  static <T> Handling<T> of(QueueSpec<T> spec) {
    return spec.handler().map(Handling::plain)
        .orElseGet(() -> new WithDeliveries<>(spec.deliveryHandler().orElseThrow()));
  }

  /** A plain handler. */
  static <T> Handling<T> plain(Handler<T> handler) {
    return new Plain<>(handler);
  }

  /**
   * The handler's batch for {@code items}, decoded from {@code deliveries} (same order, same
   * size). A plain handler gets the items alone: nothing is built that it would not read.
   */
  abstract List<?> batch(List<T> items, List<Delivery> deliveries);

  /** Calls the handler with a batch {@link #batch} made. */
  abstract Collection<?> handle(List<?> batch) throws Exception;

  /** True if returned objects may also name a batch element by its item ({@link DeliveryHandler}). */
  abstract boolean matchesItems();

  private static final class Plain<T> extends Handling<T> {
    private final Handler<T> handler;

    Plain(Handler<T> handler) {
      this.handler = handler;
    }

    @Override
    List<?> batch(List<T> items, List<Delivery> deliveries) {
      return List.copyOf(items);
    }

    @Override
    @SuppressWarnings("unchecked") // made by batch() from List<T>
    Collection<?> handle(List<?> batch) throws Exception {
      return handler.handle((List<T>) batch);
    }

    @Override
    boolean matchesItems() {
      return false;
    }
  }

  private static final class WithDeliveries<T> extends Handling<T> {
    private final DeliveryHandler<T> handler;

    WithDeliveries(DeliveryHandler<T> handler) {
      this.handler = handler;
    }

    @Override
    List<?> batch(List<T> items, List<Delivery> deliveries) {
      List<Delivered<T>> out = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        Delivery d = deliveries.get(i);
        out.add(new Delivered<>(items.get(i), d.id(), d.deliveryCount(), d.recoveryCount(),
            d.firstPushed()));
      }
      return List.copyOf(out);
    }

    @Override
    @SuppressWarnings("unchecked") // made by batch() as List<Delivered<T>>
    Collection<?> handle(List<?> batch) throws Exception {
      return handler.handle((List<Delivered<T>>) batch);
    }

    @Override
    boolean matchesItems() {
      return true;
    }
  }
}
