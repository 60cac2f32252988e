package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Typos}: a near miss is suggested, a different name is not. */
class TyposTest {
  @Test
  void theClosestNameWithinTwoEditsOrAThirdIsSuggestedAndAFarOneIsNot() {
    List<String> known = List.of("QUEUE_NAME", "SET_NAME", "LENGTH", "BATCH_LENGTH");
    assertThat(Typos.closest("LENGHT", known, Function.identity())).contains("LENGTH");
    assertThat(Typos.closest("BATCH_LENGHT", known, Function.identity())).contains("BATCH_LENGTH");
    assertThat(Typos.closest("ISSUE_INDEXER_QUEUE_TYPE", known, Function.identity())).isEmpty();
    assertThat(Typos.closest("x", List.<String>of(), Function.identity())).isEmpty();
    assertThat(Typos.distance("kitten", "sitting")).isEqualTo(3);
    assertThat(Typos.distance("", "abc")).isEqualTo(3);
  }
}
