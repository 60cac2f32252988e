package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DigestsTest {
  @Test
  void sha256MatchesTheStandardTestVector() {
    // FIPS 180-2, appendix B.1
    assertThat(HexFormat.of().formatHex(Digests.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(Digests.sha256(new byte[0])).hasSize(32);
  }
}
