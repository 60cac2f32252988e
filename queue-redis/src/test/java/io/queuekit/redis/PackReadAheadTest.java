package io.queuekit.redis;

import static io.queuekit.redis.Queues.key;
import static io.queuekit.redis.PackTest.items;
import static io.queuekit.redis.RedisQueueTest.item;
import static io.queuekit.redis.RedisQueueTest.payloads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.queuekit.conformance.redis.RedisServerExtension;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The read ahead of a claim of one pack ({@link ClaimLoop}): a claim that takes a pack as it is
 * also answers the reference next at the head, and the next claim sends that pack's {@code HGET}
 * before its script, so a claim of the pack predicted needs no second round trip. A pack another
 * consumer took meanwhile costs one wasted read, the claim reads its own pack as before, and the
 * claim after such a miss reads nothing ahead.
 */
class PackReadAheadTest {
  @RegisterExtension
  static final RedisServerExtension redis = new RedisServerExtension();

  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  final Queues queues = Queues.on(redis);

  @Test
  void theClaimAfterAClaimOfAPackReadsTheNextPackBeforeItsScriptRuns() {
    String name = Queues.uniqueName("ahead");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b"), WAIT);
    q.pushAll(items("c", "d"), WAIT);
    q.pushAll(items("e", "f"), WAIT);
    assertThat(payloads(q.claim(2, WAIT))).containsExactly("a", "b");

    List<String> sent = monitored(() -> assertThat(payloads(q.claim(2, WAIT)))
        .containsExactly("c", "d"));
    assertThat(packReads(sent, name)).as("reads of a pack around the claim: %s", sent)
        .isEqualTo(1);
    assertThat(indexOf(sent, "\"HGET\"")).as("the pack's read went before the claim: %s", sent)
        .isLessThan(indexOf(sent, Scripts.Script.CLAIM.sha));

    List<Delivery> last = q.claim(2, WAIT);
    assertThat(payloads(last)).containsExactly("e", "f");
    assertThat(q.ack(last)).containsOnly(Outcome.DONE);
    assertThat(queues.admin().integer("HLEN", key(name, "packs")))
        .as("the packs left: those of the two claims not settled").isEqualTo(2);
  }

  @Test
  void aPackAnotherConsumerTookIsReadInVainAndTheClaimAfterTheMissReadsNothingAhead() {
    String name = Queues.uniqueName("aheadmiss");
    RedisQueue a = queues.open(name, false);
    RedisQueue b = queues.open(name, false);
    for (String[] pack : new String[][] {{"a", "b"}, {"c", "d"}, {"e", "f"}, {"g", "h"}}) {
      a.pushAll(items(pack), WAIT);
    }
    assertThat(payloads(a.claim(2, WAIT))).containsExactly("a", "b");
    assertThat(payloads(b.claim(2, WAIT))).as("the pack a expects next").containsExactly("c", "d");

    List<String> missed = monitored(() -> assertThat(payloads(a.claim(2, WAIT)))
        .containsExactly("e", "f"));
    assertThat(packReads(missed, name)).as("the read in vain and the claimed pack's: %s", missed)
        .isEqualTo(2);

    List<String> after = monitored(() -> assertThat(payloads(a.claim(2, WAIT)))
        .containsExactly("g", "h"));
    assertThat(packReads(after, name)).isEqualTo(1);
    assertThat(indexOf(after, "\"HGET\"")).as("after a miss, read after the claim: %s", after)
        .isGreaterThan(indexOf(after, Scripts.Script.CLAIM.sha));
    assertThat(a.listDead(0, 10)).isEmpty();
  }

  @Test
  void theElementAfterAPackIsReadOnlyWhileAnotherReferenceWaits() {
    String name = Queues.uniqueName("aheadplain");
    RedisQueue q = queues.open(name, false);
    q.pushAll(items("a", "b"), WAIT);
    q.push(item("c".repeat(100_000)), WAIT);
    // a plain entry next and no other reference: read as a Lua string it would be hashed whole,
    // so it is not read (with a reference somewhere after it, it would be)
    List<String> ran = monitored(true, () -> assertThat(payloads(q.claim(2, WAIT)))
        .containsExactly("a", "b"));
    assertThat(ran).as("the script's commands: %s", ran)
        .noneMatch(l -> l.contains("\"LINDEX\"") && l.endsWith("\"1\""));
    assertThat(payloads(q.claim(2, WAIT))).containsExactly("c".repeat(100_000));
  }

  @Test
  void aClaimAheadRunsBeforeTheNextClaimIsCalledAndThatClaimSendsNoScript() {
    RedisQueue q = claimedAhead(Queues.uniqueName("claimahead")); // no claim called yet
    List<String> sent = monitored(() -> assertThat(payloads(q.claim(2, WAIT)))
        .containsExactly("c", "d"));
    assertThat(sent).as("the claim took the reply of the one sent ahead: %s", sent)
        .noneMatch(l -> l.contains(Scripts.Script.CLAIM.sha));
    q.claimAhead(2);
    List<Delivery> last = q.claim(2, WAIT);
    assertThat(payloads(last)).containsExactly("e", "f");
    assertThat(q.ack(last)).containsOnly(Outcome.DONE);
  }

  @Test
  void aSweepDueWhileAClaimAheadIsOutWaitsForItAndHandsBackNothingItTook() {
    // the claim ahead's entries are in flight before this process holds them: a sweep in between
    // would hand them back to the head, and they would be handed out twice
    RedisQueue q = claimedAhead(Queues.uniqueName("aheadsweep"));
    q.needSweep();
    assertThat(payloads(assertTimeoutPreemptively(WAIT, () -> q.claim(2, WAIT))))
        .containsExactly("c", "d");
    assertThat(payloads(assertTimeoutPreemptively(WAIT, () -> q.claim(2, WAIT))))
        .as("after the sweep").containsExactly("e", "f");
    assertThat(q.claim(2, Duration.ZERO)).isEmpty();
  }

  @Test
  void aClaimAskingLessThanTheClaimAheadTookGivesTheRestBackToTheHead() {
    // the pool's worker cap fell between the hint and the claim
    RedisQueue q = claimedAhead(Queues.uniqueName("aheadless"));
    List<Delivery> c = q.claim(1, WAIT);
    assertThat(payloads(c)).containsExactly("c");
    List<Delivery> rest = q.claim(3, WAIT);
    assertThat(payloads(rest)).containsExactly("d", "e", "f");
    assertThat(rest).extracting(Delivery::recoveryCount).containsOnly(0);
    assertThat(q.ack(c)).containsOnly(Outcome.DONE);
    assertThat(q.ack(rest)).containsOnly(Outcome.DONE);
  }

  @Test
  void withAGlobalWorkerCapNothingIsClaimedAhead() {
    // a claim ahead would hold one of the cap's leases with no handler running
    String name = Queues.uniqueName("aheadcap");
    RedisQueue q = queues.open(name, false, queues.settings().globalMaxWorkers(5).build());
    pushPacks(q);
    assertThat(payloads(q.claim(2, WAIT))).containsExactly("a", "b");
    List<String> sent = monitored(() -> q.claimAhead(2));
    assertThat(sent).noneMatch(l -> l.contains(Scripts.Script.CLAIM.sha));
    assertThat(readyLength(name)).isEqualTo(2);
  }

  /**
   * Queue {@code name} with three packs pushed ("a" "b", "c" "d", "e" "f"), the first claimed and
   * the second claimed ahead (its script has run: one reference is left at the head).
   */
  private RedisQueue claimedAhead(String name) {
    RedisQueue q = queues.open(name, false);
    pushPacks(q);
    assertThat(payloads(q.claim(2, WAIT))).containsExactly("a", "b");
    q.claimAhead(2);
    await().atMost(WAIT).until(() -> readyLength(name) == 1);
    return q;
  }

  private static void pushPacks(RedisQueue q) {
    q.pushAll(items("a", "b"), WAIT);
    q.pushAll(items("c", "d"), WAIT);
    q.pushAll(items("e", "f"), WAIT);
  }

  private long readyLength(String name) {
    return queues.admin().integer("LLEN", key(name, "ready"));
  }

  private List<String> monitored(Runnable step) {
    return monitored(false, step);
  }

  /** The commands the server ran while {@code step} ran, {@code scripts}' own too if asked. */
  private List<String> monitored(boolean scripts, Runnable step) {
    try (RedisIdleCostTest.Monitor mon =
        new RedisIdleCostTest.Monitor(redis.server().port(), scripts)) {
      step.run();
      return mon.allThrough(queues.admin());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("closing the MONITOR connection", e);
    }
  }

  private static long packReads(List<String> lines, String name) {
    return lines.stream().filter(l -> l.contains("\"HGET\"") && l.contains(key(name, "packs")))
        .count();
  }

  private static int indexOf(List<String> lines, String part) {
    int at = GlobalCapTest.indexOf(lines, part);
    assertThat(at).as("\"%s\" in %s", part, lines).isNotNegative();
    return at;
  }
}
