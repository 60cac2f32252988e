package io.queuekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.QueueException;
import io.queuekit.spi.DeadLetter;
import io.queuekit.spi.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The entry format's numbers, read and written without Strings ({@link Entries}): what the
 * scripts write is read back exactly, and a header field that is not plain digits (a sign, a
 * letter, too many digits, nothing) is refused, as the scripts refuse it.
 */
class EntriesTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void numbersAreWrittenAsTheirDigits() {
    for (long v : new long[] {0, 7, 10, 99, 100, 1_733_300_000_123L, Long.MAX_VALUE, -1}) {
      assertThat(new String(Entries.str(v), StandardCharsets.US_ASCII))
          .isEqualTo(Long.toString(v));
    }
  }

  @Test
  void aDeliveryIsReadFromItsHeader() {
    Delivery d = Entries.delivery(42, b("3:1:1733300000123::{\"a\":1}"));
    assertThat(d.id()).isEqualTo(42);
    assertThat(d.deliveryCount()).isEqualTo(3);
    assertThat(d.recoveryCount()).isEqualTo(1);
    assertThat(d.firstPushed()).isEqualTo(Instant.ofEpochMilli(1_733_300_000_123L));
    assertThat(new String(d.payload(), StandardCharsets.US_ASCII)).isEqualTo("{\"a\":1}");
  }

  @Test
  void aDeliveryIsReadFromItsPlaceInAPack() {
    byte[] head = b("0:0:1733300000123::");
    byte[] pack = Packs.pack(head, new byte[][] {b("{\"a\":1}"), b("x:y")});
    int[] at = Packs.bounds(pack, 2);
    Delivery d = Entries.delivery(7, pack, at[2], at[3]);
    assertThat(d.id()).isEqualTo(7);
    assertThat(d.firstPushed()).isEqualTo(Instant.ofEpochMilli(1_733_300_000_123L));
    assertThat(new String(d.payload(), StandardCharsets.US_ASCII)).isEqualTo("x:y");
    // the header is read within the entry's bounds, not past them into the next entry
    assertThatThrownBy(() -> Entries.delivery(1, pack, at[0], at[0] + 6))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("header fields");
  }

  @Test
  void aHeaderFieldThatIsNotPlainDigitsIsRefused() {
    for (String bad : new String[] {"+3:0:1::x", "-1:0:1::x", "3:a:1::x", ":0:1::x",
        "3:0:1234567890123456789::x", "3000000000:0:1::x"}) {
      assertThatThrownBy(() -> Entries.delivery(1, b(bad))).as(bad)
          .isInstanceOf(NumberFormatException.class).hasMessageContaining("not a header number");
    }
  }

  /**
   * A claim's reply holding an entry the client cannot read (the script checks the same bounds,
   * so only a script out of step with the client could send one) is the queue's exception naming
   * the queue and the delivery, not a bare parse error.
   */
  @Test
  void aClaimedEntryTheClientCannotReadIsTheQueuesExceptionNamingIt() {
    List<Object> reply = List.of(-1L, 0L, 2L, 0L, 40L, b("0:0:1::a"), b("4294967296:0:1::b"));
    assertThat(ClaimLoop.deliveries("jobs", 40, reply, 5, 1)).singleElement()
        .satisfies(d -> assertThat(d.id()).isEqualTo(41));
    assertThatThrownBy(() -> ClaimLoop.deliveries("jobs", 40, reply, 5, 2))
        .isInstanceOf(QueueException.class)
        .hasMessageContaining("queue \"jobs\"").hasMessageContaining("delivery 42")
        .hasMessageContaining("4294967296")
        .hasCauseInstanceOf(NumberFormatException.class);
  }

  @Test
  void aMalformedDeadLetterIsShownAsItIsWithTheReason() {
    DeadLetter ok = Entries.deadLetterOrMalformed(b("5:2:0:1000:2000::6:broken{}"), 5);
    assertThat(ok.reason()).isEqualTo("broken");
    assertThat(ok.deadAt()).isEqualTo(Instant.ofEpochMilli(2000));
    DeadLetter bad = Entries.deadLetterOrMalformed(b("5:x:0:1000:2000::6:broken{}"), 5);
    assertThat(bad.reason()).startsWith("malformed dead letter").contains("\"x\"");
  }
}
