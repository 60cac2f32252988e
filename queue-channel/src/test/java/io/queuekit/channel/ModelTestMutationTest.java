package io.queuekit.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.PushResult;
import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.ForwardingBaseQueue;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.StatefulCheck;
import io.queuekit.conformance.TestBackend;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model test's power, kept: it must catch each of these deliberately broken stores (the
 * channel store with one rule of the contract broken), with a shrunk sequence and a seed. A
 * model test that passed any of them would prove nothing about the real ones.
 */
class ModelTestMutationTest {

  enum Mutant {
    /** release deletes the item instead of retrying it: at-least-once broken. */
    RELEASE_LOSES_THE_ITEM(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public Outcome release(Delivery d, Duration delay) {
        return q.ack(List.of(d)).get(0);
      }
    }),
    /** unclaim sends items to the tail: order after a give-back broken. */
    UNCLAIM_TO_THE_TAIL(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Outcome> unclaim(List<Delivery> ds) {
        List<Outcome> out = new ArrayList<>();
        for (Delivery d : ds) {
          Outcome o = q.ack(List.of(d)).get(0);
          if (o == Outcome.DONE) {
            q.push(Item.of(d.payload()), Duration.ZERO);
          }
          out.add(o);
        }
        return out;
      }
    }),
    /** a stale settle reports success: fencing broken. */
    STALE_ACK_SUCCEEDS(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Outcome> ack(List<Delivery> ds) {
        return q.ack(ds).stream().map(o -> o == Outcome.STALE ? Outcome.DONE : o).toList();
      }
    }),
    /** has answers false: a unique queue's membership broken. */
    HAS_ALWAYS_FALSE(true, q -> new ForwardingBaseQueue(q) {
      @Override
      public boolean has(byte[] identity) {
        return false;
      }
    }),
    /** a duplicate push reports ADDED: the unique flavour's answer broken. */
    DUPLICATE_REPORTED_ADDED(true, q -> new ForwardingBaseQueue(q) {
      @Override
      public PushResult push(Item item, Duration delay, Duration timeout) {
        PushResult r = q.push(item, delay, timeout);
        return r == PushResult.DUPLICATE ? PushResult.ADDED : r;
      }
    }),
    /** replay keeps the delivery count: counts reset broken. */
    DEAD_LETTER_KEEPS_NOTHING(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public Outcome deadLetter(Delivery d, String reason) {
        return q.ack(List.of(d)).get(0);
      }
    }),
    /** claim leaves a copy of each claimed item waiting: exactly-one-copy broken. */
    CLAIM_LEAVES_A_DUPLICATE(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        List<Delivery> claimed = q.claim(max, wait);
        for (Delivery d : claimed) {
          q.offer(Item.of(d.payload()));
        }
        return claimed;
      }
    }),
    /** a delayed push is claimable at once: delays broken. */
    DELAY_IGNORED(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public PushResult push(Item item, Duration delay, Duration timeout) {
        return q.push(item, Duration.ZERO, timeout);
      }
    }),
    /** replaying a dead letter deletes it: replay broken. */
    REPLAY_DROPS_THE_ITEM(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public long replayDead(Collection<Long> ids) {
        return q.purgeDead(ids);
      }

      @Override
      public long replayAllDead() {
        return q.purgeAllDead();
      }
    }),
    /** a claimed batch comes newest first: FIFO broken. */
    BATCH_CLAIMED_NEWEST_FIRST(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        List<Delivery> claimed = new ArrayList<>(q.claim(max, wait));
        Collections.reverse(claimed);
        return claimed;
      }
    }),
    /** every delivery says it is the first: the delivery count broken. */
    DELIVERY_COUNT_FORGOTTEN(false, q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        return q.claim(max, wait).stream()
            .map(d -> new Delivery(d.id(), d.payload(), 0, d.recoveryCount(), d.firstPushed()))
            .toList();
      }
    });

    final boolean unique;
    final UnaryOperator<BaseQueue> wrap;

    Mutant(boolean unique, UnaryOperator<BaseQueue> wrap) {
      this.unique = unique;
      this.wrap = wrap;
    }
  }

  @ParameterizedTest
  @EnumSource(Mutant.class)
  void theModelTestCatchesEachBrokenStore(Mutant mutant) {
    TestBackend broken = new TestBackend() {
      @Override
      public String type() {
        return ChannelQueueFactory.TYPE;
      }

      @Override
      public QueueCapabilities capabilities() {
        return QueueCapabilities.inMemory();
      }

      @Override
      public BaseQueue wrap(BaseQueue queue) {
        return mutant.wrap.apply(queue);
      }
    };
    Optional<StatefulCheck.Failure> found =
        BaseQueueModelTest.check(broken, mutant.unique).find(100, 20261204L, null);
    assertThat(found).as("the model test passed the broken store %s", mutant).isPresent();
    StatefulCheck.Failure f = found.get();
    assertThat(f.steps().size()).as("shrunk: " + f.report(mutant.name()))
        .isLessThanOrEqualTo(f.originalLength()).isLessThanOrEqualTo(8);
    assertThat(f.report(mutant.name())).contains("-Dqueuekit.model.seed=" + f.seed());
    // the seed alone replays it
    assertThat(BaseQueueModelTest.check(broken, mutant.unique).find(1, 0L, f.seed())).isPresent();
  }
}
