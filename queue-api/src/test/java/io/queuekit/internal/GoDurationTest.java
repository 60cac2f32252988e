package io.queuekit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GoDurationTest {
  @ParameterizedTest
  @CsvSource({
      "0, PT0S", "+0, PT0S", "-0, PT0S", "100ms, PT0.1S", "5s, PT5S", "1m30s, PT1M30S",
      "1.5h, PT1H30M", ".5s, PT0.5S", "1.s, PT1S", "1us, PT0.000001S", "1µs, PT0.000001S",
      "1μs, PT0.000001S", "7ns, PT0.000000007S", "1.5ns, PT0.000000001S", "-5s, PT-5S",
      "1h2m3s4ms5us6ns, PT1H2M3.004005006S", "' 3s ', PT3S"})
  void readsWhatGoReads(String text, String iso) {
    assertThat(GoDuration.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource({"PT0S, 0s", "PT0.1S, 100ms", "PT1M30S, 1m30s", "PT1H, 1h", "PT1H0.5S, 1h0m0.5s",
      "PT0.0015S, 1500us", "PT-5S, -5s", "PT25H, 25h"})
  void formatsInGoSyntax(String iso, String text) {
    assertThat(GoDuration.format(Duration.parse(iso))).isEqualTo(text);
  }

  @Test
  void formatThenParseRoundTrips() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    for (int i = 0; i < 5_000; i++) {
      // spread over every magnitude from nanoseconds to about 292 years, either sign
      long nanos = r.nextLong() >> r.nextInt(64);
      if (nanos == Long.MIN_VALUE) {
        continue; // its negation is not a long; Go cannot print it either
      }
      Duration d = Duration.ofNanos(nanos);
      String text = GoDuration.format(d);
      assertThat(GoDuration.parse(text)).as("seed %d: %s -> %s", seed, d, text).isEqualTo(d);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "-", "+", "5", "1.5", "5x", "1h 30m", "abc", "1hh", "s", ".s",
      "1m-30s", "100 ms", "1,5s"})
  void badInputIsAnErrorQuotingTheValue(String text) {
    assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"").hasMessageContaining("not a duration");
  }

  @Test
  void aValueBeyondAboutTwoHundredNinetyTwoYearsIsAnErrorQuotingIt() {
    assertThatThrownBy(() -> GoDuration.parse("2562048h")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"2562048h\"").hasMessageContaining("out of range");
    assertThat(GoDuration.parse("2562047h")).isEqualTo(Duration.ofHours(2562047));
  }
}
