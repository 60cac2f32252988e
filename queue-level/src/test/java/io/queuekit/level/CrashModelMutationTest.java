package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueSettings;
import io.queuekit.conformance.BaseQueueModelTest;
import io.queuekit.conformance.ForwardingBaseQueue;
import io.queuekit.conformance.QueueCapabilities;
import io.queuekit.conformance.StatefulCheck;
import io.queuekit.conformance.TestBackend;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The model test's crash action, kept honest: on a persistent store (LevelDB, killed and
 * reopened) it must catch each of these stores that break one rule of recovery, with a shrunk
 * sequence. The channel store's mutants ({@code ModelTestMutationTest} in queue-channel) cannot
 * crash, so they say nothing of these rules.
 */
class CrashModelMutationTest {

  enum Mutant {
    /** a recovered item is settled instead of handed out: a crash loses what was in flight. */
    RECOVERED_ITEM_LOST(q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        List<Delivery> kept = new ArrayList<>();
        for (Delivery d : q.claim(max, wait)) {
          if (d.recoveryCount() > 0) {
            q.ack(List.of(d));
          } else {
            kept.add(d);
          }
        }
        return kept;
      }
    }),
    /** a recovered item comes back with its old recovery count: the crash goes uncounted. */
    RECOVERY_NOT_COUNTED(q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        return q.claim(max, wait).stream()
            .map(d -> d.recoveryCount() == 0 ? d : new Delivery(d.id(), d.payload(),
                d.deliveryCount(), d.recoveryCount() - 1, d.firstPushed()))
            .toList();
      }
    }),
    /** a recovered item goes behind what waits: recovery to the head broken. */
    RECOVERED_TO_THE_TAIL(q -> new ForwardingBaseQueue(q) {
      @Override
      public List<Delivery> claim(int max, Duration wait) {
        List<Delivery> kept = new ArrayList<>();
        for (Delivery d : q.claim(max, wait)) {
          if (d.recoveryCount() > 0 && q.len() > 0) {
            q.ack(List.of(d));
            q.push(Item.of(d.payload()), Duration.ZERO);
          } else {
            kept.add(d);
          }
        }
        return kept;
      }
    });

    final UnaryOperator<BaseQueue> wrap;

    Mutant(UnaryOperator<BaseQueue> wrap) {
      this.wrap = wrap;
    }
  }

  @ParameterizedTest
  @EnumSource(Mutant.class)
  void theModelTestCatchesEachBrokenRecovery(Mutant mutant) {
    TestBackend real = LevelBackend.jni().neverQuarantine();
    TestBackend broken = new TestBackend() {
      @Override
      public String type() {
        return real.type();
      }

      @Override
      public QueueCapabilities capabilities() {
        return real.capabilities();
      }

      @Override
      public QueueSettings.Builder configure(QueueSettings.Builder settings) {
        return real.configure(settings);
      }

      @Override
      public void kill(BaseQueue queue) {
        real.kill(queue);
      }

      @Override
      public BaseQueue wrap(BaseQueue queue) {
        return mutant.wrap.apply(queue);
      }
    };
    Optional<StatefulCheck.Failure> found =
        BaseQueueModelTest.check(broken, false).find(100, 20261205L, null);
    assertThat(found).as("the model test passed the broken store %s", mutant).isPresent();
    StatefulCheck.Failure f = found.get();
    String report = f.report(mutant.name());
    assertThat(report).as("found through a crash").contains("crash");
    assertThat(f.steps().size()).as("shrunk: " + report).isLessThanOrEqualTo(8);
  }
}
