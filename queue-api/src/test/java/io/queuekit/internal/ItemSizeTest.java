package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.ItemTooLargeException;
import io.queuekit.spi.Item;
import org.junit.jupiter.api.Test;

class ItemSizeTest {
  @Test
  void anItemAtTheLimitPasses() {
    assertThatCode(() -> ItemSize.check("mail", new Item(new byte[8], new byte[0]), -1, 8))
        .doesNotThrowAnyException();
  }

  @Test
  void anItemOverTheLimitIsRefusedNamingQueueIndexSizeAndLimit() {
    ItemTooLargeException e = catchThrowableOfType(
        () -> ItemSize.check("mail", new Item(new byte[9], new byte[0]), 3, 8), ItemTooLargeException.class);
    assertThat(e.size()).isEqualTo(9);
    assertThat(e.limit()).isEqualTo(8);
    assertThat(e).hasMessageContaining("\"mail\"").hasMessageContaining("index 3")
        .hasMessageContaining("9 bytes").hasMessageContaining("MAX_ITEM_SIZE=8");
  }

  @Test
  void aSinglePushNamesNoIndex() {
    ItemTooLargeException e = catchThrowableOfType(
        () -> ItemSize.check("mail", new Item(new byte[9], new byte[0]), -1, 8), ItemTooLargeException.class);
    assertThat(e).hasMessageNotContaining("index");
  }
}
